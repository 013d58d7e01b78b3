# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""etcd_key_info run for real (in its own process) against a real etcd server."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from conftest import stored

MODULE = 'etcd_key_info'


def test_reads_and_changes_nothing(modules, etcd_server, prefix):
    key = prefix + '/read'
    missing = modules.run(MODULE, {'endpoints': [etcd_server.url], 'key': key})
    assert (missing['changed'], missing['exists'], missing['value'], missing['json']) == (False, False, None, None)

    etcd_server.client().put(key, '{"Network": "10.5.0.0/16"}')
    found = modules.run(MODULE, {'endpoints': [etcd_server.url], 'key': key})
    assert found['changed'] is False and found['exists'] is True
    assert found['value'] == '{"Network": "10.5.0.0/16"}'
    assert found['json'] == {'Network': '10.5.0.0/16'}
    assert stored(etcd_server, key) == '{"Network": "10.5.0.0/16"}'

    etcd_server.client().put(key, 'plain text')
    text = modules.run(MODULE, {'endpoints': [etcd_server.url], 'key': key})
    assert (text['value'], text['json']) == ('plain text', None)


def test_empty_key_is_refused(modules, etcd_server):
    result = modules.run(MODULE, {'endpoints': [etcd_server.url], 'key': ''})
    assert result.get('failed') is True
    assert 'key: must not be empty' in result['msg']
