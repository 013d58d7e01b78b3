# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""etcd_key run for real (in its own process) against real etcd servers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from contextlib import closing

import pytest

from conftest import free_port, stored

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd import EtcdClient

MODULE = 'etcd_key'


def test_value_set_then_idempotent_then_changed(modules, etcd_server, prefix):
    key = prefix + '/name'
    first = modules.run(MODULE, {'endpoints': [etcd_server.url], 'key': key, 'value': 'lab'})
    assert first['changed'] is True, first
    assert (first['previous_value'], first['value']) == (None, 'lab')
    assert stored(etcd_server, key) == 'lab'

    again = modules.run(MODULE, {'endpoints': [etcd_server.url], 'key': key, 'value': 'lab'})
    assert again['changed'] is False

    other = modules.run(MODULE, {'endpoints': [etcd_server.url], 'key': key, 'value': 'lab2'}, diff=True)
    assert other['changed'] is True
    assert other['diff']['before'] == 'lab\n' and other['diff']['after'] == 'lab2\n'
    assert stored(etcd_server, key) == 'lab2'


def test_json_value_compared_by_meaning_and_written_compact(modules, etcd_server, prefix):
    key = prefix + '/settings'
    etcd_server.client().put(key, '{ "mtu": 1450,\n  "backend": "vxlan" }')
    same = modules.run(MODULE, {'endpoints': [etcd_server.url], 'key': key,
                                'json_value': {'backend': 'vxlan', 'mtu': 1450}})
    assert same['changed'] is False, same

    changed = modules.run(MODULE, {'endpoints': [etcd_server.url], 'key': key,
                                   'json_value': {'backend': 'vxlan', 'mtu': 1400, 'hosts': [1, 2]}})
    assert changed['changed'] is True
    assert stored(etcd_server, key) == '{"backend":"vxlan","hosts":[1,2],"mtu":1400}'


def test_json_value_replaces_invalid_json(modules, etcd_server, prefix):
    key = prefix + '/broken'
    etcd_server.client().put(key, 'not json')
    result = modules.run(MODULE, {'endpoints': [etcd_server.url], 'key': key, 'json_value': 'not json'})
    # The JSON string "not json" is not the bare text not json.
    assert result['changed'] is True
    assert stored(etcd_server, key) == '"not json"'


def test_check_mode_writes_and_deletes_nothing(modules, etcd_server, prefix):
    key = prefix + '/k'
    result = modules.run(MODULE, {'endpoints': [etcd_server.url], 'key': key, 'value': 'v'}, check=True, diff=True)
    assert result['changed'] is True and result['diff']['after'] == 'v\n'
    assert stored(etcd_server, key) is None

    etcd_server.client().put(key, 'v')
    result = modules.run(MODULE, {'endpoints': [etcd_server.url], 'key': key, 'state': 'absent'}, check=True)
    assert result['changed'] is True
    assert stored(etcd_server, key) == 'v'


def test_state_absent(modules, etcd_server, prefix):
    key = prefix + '/gone'
    etcd_server.client().put(key, 'v')
    removed = modules.run(MODULE, {'endpoints': [etcd_server.url], 'key': key, 'state': 'absent'}, diff=True)
    assert removed['changed'] is True
    assert (removed['previous_value'], removed['value']) == ('v', None)
    assert removed['diff'] == {'before_header': key + ' (etcd, before)', 'after_header': key + ' (etcd, after)',
                               'before': 'v\n', 'after': ''}
    assert stored(etcd_server, key) is None
    assert modules.run(MODULE, {'endpoints': [etcd_server.url], 'key': key, 'state': 'absent'})['changed'] is False


@pytest.mark.parametrize('params, message', [
    ({'key': '/k'}, 'state is present but any of the following are missing: value, json_value'),
    ({'key': '/k', 'value': 'a', 'json_value': 'a'}, 'parameters are mutually exclusive: value|json_value'),
    ({'key': '/k', 'value': 'a', 'user': 'root'}, 'parameters are required together: user, password'),
    ({'key': '/k', 'value': 'a', 'client_cert': '/c.pem'}, 'parameters are required together: client_cert, client_key'),
    ({'key': '', 'value': 'a'}, 'key: must not be empty'),
    ({'key': '/k', 'value': 'a', 'endpoints': ['ftp://x:1']}, "has scheme 'ftp'"),
])
def test_argument_errors(modules, params, message):
    params = dict(params)
    params.setdefault('endpoints', ['127.0.0.1:%d' % free_port()])
    result = modules.run(MODULE, params)
    assert result['failed'] is True
    assert message in result['msg'], result['msg']


def test_failover_and_all_dead(modules, etcd_server, prefix):
    dead = 'http://127.0.0.1:%d' % free_port()
    ok = modules.run(MODULE, {'endpoints': [dead, etcd_server.url], 'key': prefix + '/f', 'value': '1', 'timeout': 2})
    assert ok['changed'] is True and ok['endpoint'] == etcd_server.url

    other = 'http://127.0.0.1:%d' % free_port()
    failed = modules.run(MODULE, {'endpoints': [dead, other], 'key': prefix + '/f', 'value': '1', 'timeout': 2})
    assert failed['failed'] is True
    assert '%s: connection refused' % dead in failed['msg'] and '%s: connection refused' % other in failed['msg']


def test_tls_and_wrong_ca(modules, etcd_tls_server, pki, prefix):
    tls = dict(client_cert=pki['client_cert'], client_key=pki['client_key'])
    ok = modules.run(MODULE, dict(tls, endpoints=[etcd_tls_server.url], ca_cert=pki['ca_cert'], key=prefix + '/t', value='x'))
    assert ok['changed'] is True, ok
    bad = modules.run(MODULE, dict(tls, endpoints=[etcd_tls_server.url], ca_cert=pki['wrong_ca_cert'],
                                   key=prefix + '/t', value='x', timeout=3))
    assert bad['failed'] is True
    assert 'could not be verified against ca_cert' in bad['msg']


def test_auth_through_ansible_cli_hides_password(modules, etcd_auth_server, prefix):
    params = {'endpoints': [etcd_auth_server.url], 'user': 'root', 'password': etcd_auth_server.password,
              'key': prefix + '/a', 'json_value': {'x': 1}}
    result = modules.run_ansible(MODULE, params, diff=True)
    assert result['changed'] is True, result
    assert etcd_auth_server.password not in result['_stdout']
    assert stored_with_auth(etcd_auth_server, prefix + '/a') == '{"x":1}'

    wrong = modules.run(MODULE, dict(params, password='not-the-password'))
    assert wrong['failed'] is True
    assert 'authentication failed: wrong user or password' in wrong['msg']
    assert 'not-the-password' not in wrong['_stdout']


def stored_with_auth(server, key):
    # Our client, not raw etcd3: etcd3 0.12 cannot authenticate over plain http (see module_utils/etcd.py).
    with closing(EtcdClient([server.url], user='root', password=server.password).connect()) as client:
        value, _lease = client.get(key)
    return value.decode() if value is not None else None
