# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The network config write is a compare-and-swap on the revision that was read (a real etcd)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from contextlib import closing

import pytest

from ansible_collections.overlaynet.flannel.plugins.module_utils import flannel_network
from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd import EtcdClient

VXLAN = {'Network': '10.5.0.0/16', 'Backend': {'Type': 'vxlan'}}
WANTED = {'Network': '10.5.0.0/16', 'Backend': {'Type': 'vxlan', 'VNI': 2}}


def params(prefix, config):
    return dict(prefix=prefix, config=config, state='present', force=False, hosts={})


def test_an_edit_between_the_read_and_the_write_is_not_overwritten(etcd_server, prefix, monkeypatch):
    key = prefix + '/config'
    etcd_server.client().put(key, json.dumps(VXLAN))
    read_leases = flannel_network.read_leases

    def another_run_writes_first(client, leases_prefix):
        etcd_server.client().put(key, json.dumps({'Network': '10.6.0.0/16', 'Backend': {'Type': 'host-gw'}}))
        return read_leases(client, leases_prefix)

    monkeypatch.setattr(flannel_network, 'read_leases', another_run_writes_first)
    with closing(EtcdClient([etcd_server.url], timeout=3).connect()) as client:
        with pytest.raises(flannel_network.Refused) as refused:
            flannel_network.apply(client, params(prefix, WANTED))
    assert 'changed while this run was comparing it' in str(refused.value)
    assert json.loads(etcd_server.client().get(key)[0])['Network'] == '10.6.0.0/16'


def test_without_an_edit_in_between_it_writes(etcd_server, prefix):
    with closing(EtcdClient([etcd_server.url], timeout=3).connect()) as client:
        assert flannel_network.apply(client, params(prefix, VXLAN))['changed'] is True
        assert flannel_network.apply(client, params(prefix, WANTED))['changed'] is True
        assert flannel_network.apply(client, params(prefix, WANTED))['changed'] is False
    assert json.loads(etcd_server.client().get(prefix + '/config')[0]) == WANTED
