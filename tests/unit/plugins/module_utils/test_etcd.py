# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
from contextlib import closing
import subprocess
import sys

import pytest

from conftest import COLLECTIONS_ROOT, free_port

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd import (
    HAS_ETCD3,
    Endpoint,
    EtcdAuthError,
    EtcdClient,
    EtcdConnectError,
    EtcdError,
    EtcdTLSError,
    EtcdUsageError,
    etcd_argument_spec,
)


def dead_endpoint():
    return 'http://127.0.0.1:%d' % free_port()


@pytest.mark.parametrize('text, scheme, host, port', [
    ('127.0.0.1:2379', None, '127.0.0.1', 2379),
    ('http://10.0.0.1:4001', 'http', '10.0.0.1', 4001),
    ('HTTPS://etcd.example:2379/', 'https', 'etcd.example', 2379),
    ('etcd1', None, 'etcd1', 2379),
    ('https://[fd00::1]:2379', 'https', '[fd00::1]', 2379),
    ('[fd00::1]', None, '[fd00::1]', 2379),
])
def test_endpoint_parsing(text, scheme, host, port):
    endpoint = Endpoint(text)
    assert (endpoint.scheme, endpoint.host, endpoint.port) == (scheme, host, port)
    assert str(endpoint) == text


@pytest.mark.parametrize('text, message', [
    ('unix:///run/etcd.sock', "has scheme 'unix'"),
    ('http://', 'is not of the form host:port'),
    ('http://etcd:2379/v3', 'is not of the form host:port'),
    ('etcd:0', "invalid port '0'"),
    ('etcd:http', "invalid port 'http'"),
    ('fd00::1:2379', 'write IPv6 addresses in brackets'),
])
def test_bad_endpoints_are_usage_errors(text, message):
    with pytest.raises(EtcdUsageError) as info:
        Endpoint(text)
    assert message in str(info.value)
    assert str(info.value).startswith('endpoints: ')


@pytest.mark.parametrize('kwargs, message', [
    (dict(endpoints=[]), 'endpoints: must list at least one'),
    (dict(endpoints=['a:1'], client_cert='/c.pem'), 'client_cert and client_key: must be given together'),
    (dict(endpoints=['a:1'], user='root'), 'user and password: must be given together'),
    (dict(endpoints=['a:1'], timeout=0), 'timeout: 0 must be a positive number'),
    (dict(endpoints=['http://a:1'], ca_cert='/ca.pem'), 'is plain http but ca_cert/client_cert are set'),
])
def test_inconsistent_options_are_usage_errors(kwargs, message):
    with pytest.raises(EtcdUsageError) as info:
        EtcdClient(**kwargs)
    assert message in str(info.value)


def test_argument_spec_is_shared_and_not_aliased():
    spec = etcd_argument_spec(key=dict(type='str'))
    assert spec['password']['no_log'] is True
    assert spec['endpoints']['default'] == ['http://127.0.0.1:2379']
    spec['endpoints']['default'].append('x')
    assert etcd_argument_spec()['endpoints']['default'] == ['http://127.0.0.1:2379']
    assert 'key' in spec and 'key' not in etcd_argument_spec()


def test_import_works_with_any_protobuf_and_sets_python_runtime():
    """In a fresh interpreter without the variable, importing our module_utils must import etcd3."""
    env = dict(os.environ, PYTHONPATH=COLLECTIONS_ROOT)
    env.pop('PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION', None)
    code = ('import os\n'
            'from ansible_collections.overlaynet.flannel.plugins.module_utils import etcd\n'
            'print(etcd.HAS_ETCD3, os.environ["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"])\n'
            'print(etcd.ETCD3_IMPORT_ERROR)\n')
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[0] == 'True python', out


def test_plain_roundtrip(etcd_server, prefix):
    assert HAS_ETCD3
    with closing(EtcdClient([etcd_server.url], timeout=3).connect()) as client:
        assert client.get(prefix + '/k') == (None, None)
        client.put(prefix + '/k', 'v1')
        client.put(prefix + '/sub/a', b'A')
        assert client.get(prefix + '/k') == (b'v1', None)
        keys = [key for key, _value, _lease in client.get_prefix(prefix + '/')]
        assert keys == [prefix + '/k', prefix + '/sub/a']
        assert client.delete(prefix + '/k') is True
        assert client.delete(prefix + '/k') is False
        assert client.get(prefix + '/k') == (None, None)


def test_put_if_writes_only_what_was_read(etcd_server, prefix):
    key = prefix + '/cas'
    with closing(EtcdClient([etcd_server.url], timeout=3).connect()) as client:
        assert client.get_revision(key) == (None, 0)
        assert client.put_if(key, 'first', 0) is True
        value, revision = client.get_revision(key)
        assert value == b'first' and revision > 0
        assert client.put_if(key, 'again from nothing', 0) is False
        etcd_server.client().put(key, 'an edit in between')
        assert client.put_if(key, 'second', revision) is False
        assert client.get(key)[0] == b'an edit in between'
        _value, revision = client.get_revision(key)
        assert client.put_if(key, None, revision) is True
        assert client.get(key) == (None, None)


def test_lease_ttl(etcd_server, prefix):
    raw = etcd_server.client()
    lease = raw.lease(600)
    raw.put(prefix + '/leased', 'x', lease=lease)
    with closing(EtcdClient([etcd_server.url]).connect()) as client:
        value, lease_id = client.get(prefix + '/leased')
        assert lease_id == lease.id
        assert 590 <= client.lease_ttl(lease_id) <= 600
        assert client.lease_ttl(None) is None
    lease.revoke()


def test_failover_skips_a_dead_first_endpoint(etcd_server, prefix):
    dead = dead_endpoint()
    with closing(EtcdClient([dead, etcd_server.url], timeout=2).connect()) as client:
        assert str(client.endpoint) == etcd_server.url
        client.put(prefix + '/k', 'v')
        assert client.get(prefix + '/k')[0] == b'v'


def test_all_endpoints_dead_lists_each_with_its_cause():
    endpoints = [dead_endpoint(), '127.0.0.1:%d' % free_port()]
    with pytest.raises(EtcdConnectError) as info:
        EtcdClient(endpoints, timeout=2).connect()
    message = str(info.value)
    assert 'could not use any of the 2 etcd endpoint(s)' in message
    for endpoint in endpoints:
        assert '%s: connection refused' % endpoint in message
    assert [e for e, _cause in info.value.failures] == endpoints


def test_tls_with_client_certificate(etcd_tls_server, pki, prefix):
    port = etcd_tls_server.port
    for endpoint in ('127.0.0.1:%d' % port, 'https://127.0.0.1:%d' % port):
        client = EtcdClient([endpoint], ca_cert=pki['ca_cert'], client_cert=pki['client_cert'],
                            client_key=pki['client_key']).connect()
        client.put(prefix + '/tls', endpoint)
        assert client.get(prefix + '/tls')[0] == endpoint.encode()
        client.close()


def test_tls_wrong_ca_has_its_own_message(etcd_tls_server, pki):
    with pytest.raises(EtcdTLSError) as info:
        EtcdClient([etcd_tls_server.url], ca_cert=pki['wrong_ca_cert'], client_cert=pki['client_cert'],
                   client_key=pki['client_key'], timeout=3).connect()
    message = str(info.value)
    assert message.startswith('TLS handshake with etcd failed at every endpoint (ca_cert=%s' % pki['wrong_ca_cert'])
    assert 'the server certificate could not be verified against ca_cert' in message
    assert etcd_tls_server.url in message


def test_https_without_ca_cert_uses_the_system_trust_store(etcd_tls_server, pki):
    # Our test CA is in no system store, so verification must fail, and say against what.
    with pytest.raises(EtcdTLSError) as info:
        EtcdClient([etcd_tls_server.url], client_cert=pki['client_cert'], client_key=pki['client_key'],
                   timeout=3).connect()
    assert '(ca_cert=system trust store' in str(info.value)
    assert 'could not be verified' in str(info.value)


def test_tls_without_client_certificate_says_so(etcd_tls_server, pki):
    with pytest.raises(EtcdTLSError) as info:
        EtcdClient([etcd_tls_server.url], ca_cert=pki['ca_cert'], timeout=3).connect()
    assert 'the server rejected our client certificate' in str(info.value)


def test_plain_client_against_tls_server_hints_at_tls(etcd_tls_server):
    with pytest.raises(EtcdConnectError) as info:
        EtcdClient(['http://127.0.0.1:%d' % etcd_tls_server.port], timeout=3).connect()
    assert 'it may require TLS' in str(info.value)


def test_unreadable_ca_file_is_named(etcd_tls_server, tmp_path):
    missing = str(tmp_path / 'nope.pem')
    with pytest.raises(EtcdUsageError) as info:
        EtcdClient([etcd_tls_server.url], ca_cert=missing).connect()
    assert str(info.value).startswith('ca_cert: cannot read %s' % missing)


def test_auth_right_password_over_plain_http(etcd_auth_server, prefix):
    with closing(EtcdClient([etcd_auth_server.url], user='root', password=etcd_auth_server.password).connect()) as client:
        client.put(prefix + '/auth', 'ok')
        assert client.get(prefix + '/auth')[0] == b'ok'


def test_auth_wrong_password_has_its_own_message(etcd_auth_server):
    secret = 'definitely-wrong-pw'
    with pytest.raises(EtcdAuthError) as info:
        EtcdClient([dead_endpoint(), etcd_auth_server.url], user='root', password=secret, timeout=3).connect()
    message = str(info.value)
    assert "refused user 'root': authentication failed: wrong user or password" in message
    assert secret not in message


def test_auth_missing_credentials_are_explained(etcd_auth_server, prefix):
    client = EtcdClient([etcd_auth_server.url], timeout=3).connect()
    with pytest.raises(EtcdError) as info:
        client.get(prefix + '/x')
    client.close()
    assert 'authentication is enabled on this etcd: set user and password' in str(info.value)
