# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""etcd_cluster_info run for real (in its own process) against real etcd servers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from conftest import free_port

MODULE = 'etcd_cluster_info'


def test_one_endpoint_version_health_and_leader(modules, etcd_server):
    result = modules.run(MODULE, {'endpoints': [etcd_server.url]}, check=True)
    assert result['changed'] is False and result['healthy'] is True, result
    assert result['errors'] == [] and result['members'] == [] and result['cluster'] == []
    (report,) = result['endpoints']
    assert report['endpoint'] == etcd_server.url and report['healthy'] is True
    assert report['version'] == etcd_server.etcdctl('version').split()[2]
    assert report['is_leader'] is True and report['leader_id'] == report['member_id']


def test_cluster_asks_every_member(modules, etcd_server):
    result = modules.run(MODULE, {'endpoints': [etcd_server.url], 'cluster': True})
    assert result['healthy'] is True, result
    assert [m['client_urls'] for m in result['members']] == [[etcd_server.url]]
    assert [r['member_id'] for r in result['cluster']] == [result['members'][0]['id']]


def test_a_dead_endpoint_is_reported_not_raised(modules, etcd_server):
    dead = 'http://127.0.0.1:%d' % free_port()
    result = modules.run(MODULE, {'endpoints': [etcd_server.url, dead], 'timeout': 2})
    assert result.get('failed') is not True and result['healthy'] is False, result
    assert [r['healthy'] for r in result['endpoints']] == [True, False]
    assert result['errors'][0].startswith(dead + ': connection refused')
    assert result['auth_failed'] is False

    nobody = modules.run(MODULE, {'endpoints': [dead], 'cluster': True, 'timeout': 2})
    assert nobody['healthy'] is False and nobody['members'] == [] and len(nobody['errors']) == 2, nobody


def test_credentials_before_and_after_auth(modules, etcd_server, etcd_auth_server):
    # Before authentication is on, credentials are not checked (the role passes them from the start).
    early = modules.run(MODULE, {'endpoints': [etcd_server.url], 'user': 'root', 'password': 'any'})
    assert early['healthy'] is True, early
    root = modules.run(MODULE, {'endpoints': [etcd_auth_server.url], 'cluster': True, 'user': 'root',
                                'password': etcd_auth_server.password})
    assert root['healthy'] is True and len(root['members']) == 1, root
    wrong = modules.run(MODULE, {'endpoints': [etcd_auth_server.url], 'user': 'root', 'password': 'wrong-pw'})
    assert wrong['healthy'] is False and 'authentication failed' in wrong['errors'][0], wrong
    assert wrong['auth_failed'] is True and wrong['endpoints'][0]['auth_failed'] is True
    assert root['auth_failed'] is False
    anonymous = modules.run(MODULE, {'endpoints': [etcd_auth_server.url]})
    assert anonymous['healthy'] is False and 'set user and password' in anonymous['errors'][0]


def test_tls(modules, etcd_tls_server, pki):
    tls = dict(ca_cert=pki['ca_cert'], client_cert=pki['client_cert'], client_key=pki['client_key'])
    result = modules.run(MODULE, dict(endpoints=[etcd_tls_server.url], cluster=True, **tls))
    assert result['healthy'] is True and result['cluster'][0]['version'], result
    wrong_ca = modules.run(MODULE, dict(endpoints=[etcd_tls_server.url], ca_cert=pki['wrong_ca_cert'], timeout=3))
    assert wrong_ca['healthy'] is False and 'TLS handshake failed' in wrong_ca['errors'][0], wrong_ca


def test_bad_endpoint_fails_the_module(modules):
    result = modules.run(MODULE, {'endpoints': ['unix:///run/etcd.sock']})
    assert result.get('failed') is True and "has scheme 'unix'" in result['msg'], result
