# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The cause the flannel role names when flanneld did not start, read from what flanneld printed.

The fixtures are flanneld's own output (tests/unit/plugins/filter/fixtures/flanneld-*.log): the lab's flanneld
v0.28.10 run for a few seconds against a real etcd with each fault (a prefix without a config; a closed port; a
TLS etcd and another CA in -etcd-cafile), then stopped, which makes it print the etcd client's last error."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.overlaynet.flannel.plugins.filter.flannel_start_failure import flannel_start_failure

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures')
SETTINGS = dict(ca_file='/etc/flannel/pki/ca.pem', ca_src='/srv/pki/wrong-ca.pem', cert_file='/etc/flannel/pki/client.pem',
                key_file='/etc/flannel/pki/client-key.pem', endpoints=['https://10.0.0.1:2379'], prefix='/coreos.com/network')


def journal(name):
    with open(os.path.join(FIXTURES, 'flanneld-%s.log' % name)) as handle:
        return handle.read().splitlines()


@pytest.mark.parametrize('fault, cause', [
    ('wrong-ca', "Likely cause: etcd's certificate is not signed by the CA flanneld trusts, flannel_etcd_ca_file "
                 "(/etc/flannel/pki/ca.pem, copied from flannel_etcd_ca_src /srv/pki/wrong-ca.pem): tls: failed to verify "
                 "certificate: x509: certificate signed by unknown authority."),
    ('unreachable', 'Likely cause: etcd is unreachable at https://10.0.0.1:2379 (flannel_etcd_endpoints)'),
    ('no-config', 'Likely cause: no network config at /coreos.com/network/config; check flannel_etcd_prefix.'),
])
def test_the_cause_is_named_with_its_setting(fault, cause):
    explained = flannel_start_failure(journal(fault), SETTINGS)
    assert explained.startswith(cause), explained
    assert "flanneld's errors (journalctl -u flanneld): E" in explained, explained


def test_a_journal_without_errors_explains_nothing():
    assert flannel_start_failure(['Started flanneld.', ''], SETTINGS) == ''
    assert flannel_start_failure([], None) == ''


def test_it_renders_as_the_role_calls_it(modules):
    template = "{{ %s | overlaynet.flannel.flannel_start_failure({'prefix': '/x'}) }}" % json.dumps(journal('no-config'))
    result = modules.run_ansible('debug', dict(msg=template), collection='ansible.builtin')
    assert result['msg'].startswith('Likely cause: no network config at /x/config'), result
