# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""EtcdClient's users/roles/permissions, auth, member and health calls against real etcd servers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time
from contextlib import closing

import pytest

from conftest import EtcdServer, free_port

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd import (
    EtcdAuthError,
    EtcdClient,
    EtcdError,
    EtcdUsageError,
    prefix_range_end,
    probe_endpoint,
)


@pytest.mark.parametrize('prefix, end', [
    ('/coreos.com/network/', b'/coreos.com/network0'),
    ('a', b'b'),
    (b'/x\xff', b'/y'),
    (b'\xff\xff', b'\0'),
])
def test_prefix_range_end_is_etcds(prefix, end):
    assert prefix_range_end(prefix) == end


def test_users_roles_and_permissions_round_trip(fresh_etcd):
    with closing(EtcdClient([fresh_etcd.url]).connect()) as client:
        assert client.users() == {} and client.roles() == {}
        client.user_add('root', 'rootpw')
        client.user_grant_role('root', 'root')
        client.role_add('flannel')
        client.role_grant_permission('flannel', 'read', '/net/', prefix=True)
        client.role_grant_permission('flannel', 'readwrite', '/net/', prefix=True)
        client.role_grant_permission('flannel', 'write', '/single')
        client.user_add('flannel', 'fpw')
        client.user_grant_role('flannel', 'flannel')
        assert client.users() == {'root': ['root'], 'flannel': ['flannel']}
        # A second grant on the same range replaced the first.
        assert client.roles()['flannel'] == [
            dict(type='readwrite', key='/net/', range_end='/net0', prefix=True),
            dict(type='write', key='/single', range_end='', prefix=False),
        ]
    # etcdctl, not our client, confirms what etcd stored.
    shown = fresh_etcd.etcdctl('role', 'get', 'flannel')
    assert shown.count('[/net/, /net0) (prefix /net/)') == 2 and '\t/single\n' in shown


def test_bad_permission_type_is_a_usage_error(fresh_etcd):
    with closing(EtcdClient([fresh_etcd.url]).connect()) as client:
        with pytest.raises(EtcdUsageError) as info:
            client.role_grant_permission('r', 'admin', '/k')
    assert "permission type 'admin': must be one of read, write, readwrite" in str(info.value)


def test_auth_enable_then_passwords_are_checked(fresh_etcd):
    with closing(EtcdClient([fresh_etcd.url]).connect()) as client:
        client.user_add('root', 'rootpw')
        with pytest.raises(EtcdError) as info:
            client.auth_enable()
        # etcd insists on the root role, and our error says which call failed where.
        assert 'etcd auth enable at %s failed' % fresh_etcd.url in str(info.value)
        client.user_grant_role('root', 'root')
        client.user_add('alice', 'old')
        with pytest.raises(EtcdError) as info:
            client.authenticates('alice', 'old')
        assert 'authentication is not enabled' in str(info.value)
        client.auth_enable()
    with closing(EtcdClient([fresh_etcd.url], user='root', password='rootpw').connect()) as root:
        assert root.auth_enabled is True
        assert root.authenticates('alice', 'old') is True
        assert root.authenticates('alice', 'new') is False
        root.user_change_password('alice', 'new')
        assert root.authenticates('alice', 'new') is True
        assert root.authenticates('alice', 'old') is False


def test_credentials_on_an_etcd_without_auth(fresh_etcd):
    # By default that is an error that says what to do ...
    with pytest.raises(EtcdAuthError) as info:
        EtcdClient([fresh_etcd.url], user='root', password='pw', timeout=3).connect()
    assert 'authentication is not enabled on this etcd: leave out user and password' in str(info.value)
    # ... and with auth_optional the credentials wait until etcd checks them, like etcdctl's.
    with closing(EtcdClient([fresh_etcd.url], user='root', password='pw', auth_optional=True).connect()) as client:
        assert client.auth_enabled is False
        client.put('/k', 'v')
        assert client.get('/k')[0] == b'v'


def test_auth_optional_still_rejects_a_wrong_password(etcd_auth_server):
    with pytest.raises(EtcdAuthError) as info:
        EtcdClient([etcd_auth_server.url], user='root', password='wrong-pw', auth_optional=True).connect()
    assert 'authentication failed' in str(info.value)


def test_members_status_and_health(etcd_server):
    with closing(EtcdClient([etcd_server.url]).connect()) as client:
        members = client.members()
        status = client.status()
        assert client.health_errors() == []
    assert [m['client_urls'] for m in members] == [[etcd_server.url]]
    assert members[0]['name'] == 'unit' and members[0]['id'] == status['member_id']
    assert status['version'] == etcd_server.etcdctl('version').split()[2]
    assert status['is_leader'] and status['leader_id'] == status['member_id']
    assert status['raft_term'] >= 1 and status['db_size'] > 0


def test_a_learner_joins_and_is_promoted_once_it_caught_up(fresh_etcd, tmp_path):
    workdir = str(tmp_path / 'second')
    os.makedirs(workdir)
    second = EtcdServer(workdir)
    peer = 'http://127.0.0.1:%d' % second.peer_port
    with closing(EtcdClient([fresh_etcd.url]).connect()) as client:
        added = client.member_add([peer], learner=True)
        assert added['is_learner'] and added['peer_urls'] == [peer] and added['name'] == '', added
        assert [m['is_learner'] for m in client.members() if m['id'] == added['id']] == [True]
        second.extra_args = ['--name', 'second', '--initial-cluster-state', 'existing', '--initial-cluster',
                             'unit=http://127.0.0.1:%d,second=%s' % (fresh_etcd.peer_port, peer)]
        # A learner serves no member list, which EtcdServer's readiness check asks for: started once it has a name.
        second._wait_ready = lambda: None  # pylint: disable=protected-access
        second.start()
        try:
            deadline = time.time() + 20
            while True:
                try:
                    promoted = client.member_promote(added['id'])
                    break
                except EtcdError as exc:  # "can only promote a learner member which is in sync with leader"
                    if time.time() > deadline:
                        raise
                    assert 'in sync' in str(exc) or 'not ready' in str(exc), exc
                    time.sleep(0.5)
            assert sorted((m['name'], m['is_learner']) for m in promoted) == [('second', False), ('unit', False)]
            assert not any(m['is_learner'] for m in client.members())
        finally:
            second.stop()


def test_members_with_authentication_and_with_tls(etcd_auth_server, etcd_tls_server, pki):
    with closing(EtcdClient([etcd_auth_server.url], user='root', password=etcd_auth_server.password).connect()) as client:
        assert [m['client_urls'] for m in client.members()] == [[etcd_auth_server.url]]
    with closing(EtcdClient([etcd_tls_server.url], ca_cert=pki['ca_cert'], client_cert=pki['client_cert'],
                            client_key=pki['client_key']).connect()) as client:
        assert [m['client_urls'] for m in client.members()] == [[etcd_tls_server.url]]


def test_health_needs_credentials_when_auth_is_on(etcd_auth_server):
    with closing(EtcdClient([etcd_auth_server.url]).connect()) as anonymous:
        errors = anonymous.health_errors()
    assert errors and 'set user and password' in errors[0]
    with closing(EtcdClient([etcd_auth_server.url], user='root', password=etcd_auth_server.password).connect()) as root:
        assert root.health_errors() == []


def test_probe_reports_instead_of_raising(etcd_server, etcd_tls_server, pki):
    dead = 'http://127.0.0.1:%d' % free_port()
    report = probe_endpoint(dead, timeout=2)
    assert report['healthy'] is False and report['version'] is None
    assert 'connection refused' in report['errors'][0]
    assert probe_endpoint(etcd_server.url)['healthy'] is True
    tls = probe_endpoint(etcd_tls_server.url, ca_cert=pki['ca_cert'], client_cert=pki['client_cert'],
                         client_key=pki['client_key'])
    assert tls['healthy'] is True and tls['version']
    with pytest.raises(EtcdUsageError):
        probe_endpoint('unix:///x')
