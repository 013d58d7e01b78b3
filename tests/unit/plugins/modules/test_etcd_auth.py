# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""etcd_auth run for real (in its own process) against etcd servers of each test's own."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
from contextlib import closing

import pytest

from conftest import etcd_bin_dir

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd import EtcdAuthError, EtcdClient

MODULE = 'etcd_auth'
ROOT_PW = 'root-secret-1'
FLANNEL_PW = 'flannel-secret-1'
PREFIX = '/coreos.com/network/'
CONVERGED = {
    'auth_enabled': True,
    'users': {'flannel': ['flannel'], 'root': ['root']},
    'roles': {'flannel': [dict(type='readwrite', key=PREFIX, range_end='/coreos.com/network0', prefix=True)]},
}


def args(server, **extra):
    result = {'endpoints': [server.url], 'password': ROOT_PW, 'prefix_user': 'flannel',
              'prefix_password': FLANNEL_PW, 'prefix': PREFIX}
    result.update(extra)
    return result


def etcdctl(server, user, *argv):
    """etcdctl as user ('name:password' or None), returning the finished process."""
    cmd = [os.path.join(etcd_bin_dir(), 'etcdctl'), '--endpoints', server.url, '--dial-timeout', '3s']
    if user:
        cmd += ['--user', user]
    return subprocess.run(cmd + list(argv), capture_output=True, text=True, check=False)


def test_first_run_creates_everything_then_nothing_changes(modules, fresh_etcd):
    first = modules.run(MODULE, args(fresh_etcd))
    assert first['changed'] is True, first
    assert first['actions'] == [
        'add user root', 'grant role root to user root', 'add role flannel',
        'grant readwrite on prefix %s to role flannel' % PREFIX, 'add user flannel',
        'grant role flannel to user flannel', 'enable authentication']
    assert dict((k, first[k]) for k in CONVERGED) == CONVERGED
    # etcd itself now refuses anonymous clients and accepts both users.
    assert 'user name is empty' in etcdctl(fresh_etcd, None, 'get', '/x').stderr
    assert etcdctl(fresh_etcd, 'root:' + ROOT_PW, 'user', 'list').stdout.split() == ['flannel', 'root']

    again = modules.run(MODULE, args(fresh_etcd), diff=True)
    assert again['changed'] is False and again['actions'] == [], again
    assert again['diff']['before'] == again['diff']['after'] == CONVERGED


def test_check_mode_predicts_and_changes_nothing(modules, fresh_etcd):
    predicted = modules.run(MODULE, args(fresh_etcd), check=True, diff=True)
    assert predicted['changed'] is True and len(predicted['actions']) == 7, predicted
    assert predicted['diff']['before'] == {'auth_enabled': False, 'users': {}, 'roles': {}}
    assert predicted['diff']['after'] == CONVERGED
    with closing(EtcdClient([fresh_etcd.url]).connect()) as client:
        assert client.users() == {} and client.roles() == {}
        client.put('/still-open', 'yes')

    real = modules.run(MODULE, args(fresh_etcd), diff=True)
    assert real['actions'] == predicted['actions'] and real['diff'] == predicted['diff']

    # On a converged cluster, a stale password is predicted, and left stale.
    stale = modules.run(MODULE, args(fresh_etcd, prefix_password='next-pw'), check=True)
    assert stale['changed'] is True and stale['actions'] == ['set the password of user flannel']
    assert etcdctl(fresh_etcd, 'flannel:' + FLANNEL_PW, 'get', PREFIX + 'config').returncode == 0


def test_stale_password_is_found_and_changed(modules, fresh_etcd):
    modules.run(MODULE, args(fresh_etcd))
    changed = subprocess.run(
        [os.path.join(etcd_bin_dir(), 'etcdctl'), '--endpoints', fresh_etcd.url, '--user', 'root:' + ROOT_PW,
         'user', 'passwd', 'flannel', '--interactive=false'],
        input='someone-elses-pw\n', capture_output=True, text=True, check=True)
    assert 'Password updated' in changed.stdout

    fixed = modules.run(MODULE, args(fresh_etcd), diff=True)
    assert fixed['changed'] is True and fixed['actions'] == ['set the password of user flannel'], fixed
    assert fixed['diff']['before']['passwords'] == {'flannel': 'stale'}
    assert fixed['diff']['after']['passwords'] == {'flannel': 'set'}
    assert etcdctl(fresh_etcd, 'flannel:' + FLANNEL_PW, 'get', PREFIX + 'config').returncode == 0
    assert etcdctl(fresh_etcd, 'flannel:someone-elses-pw', 'get', PREFIX + 'config').returncode != 0
    assert modules.run(MODULE, args(fresh_etcd))['changed'] is False


def test_wrong_root_password_is_refused_clearly(modules, fresh_etcd):
    modules.run(MODULE, args(fresh_etcd))
    result = modules.run(MODULE, args(fresh_etcd, password='not-the-root-pw'))
    assert result.get('failed') is True and result['auth_failed'] is True, result
    assert "refused user 'root': authentication failed: wrong user or password" in result['msg']
    assert 'not-the-root-pw' not in result['_stdout'] + result['_stderr']


def test_flannel_user_is_confined_to_its_prefix(modules, fresh_etcd):
    modules.run(MODULE, args(fresh_etcd))
    as_flannel = 'flannel:' + FLANNEL_PW
    assert etcdctl(fresh_etcd, as_flannel, 'put', PREFIX + 'config', '{}').returncode == 0
    assert etcdctl(fresh_etcd, as_flannel, 'put', PREFIX + 'subnets/10.5.1.0-24', 'x').returncode == 0
    for outside in ('/outside', '/coreos.com/network2', '/coreos.com/networ'):
        refused = etcdctl(fresh_etcd, as_flannel, 'put', outside, 'no')
        assert refused.returncode != 0 and 'permission denied' in refused.stderr, outside
    assert etcdctl(fresh_etcd, 'root:' + ROOT_PW, 'get', '--print-value-only', PREFIX + 'config').stdout == '{}\n'


def test_partial_state_from_before_is_completed(modules, fresh_etcd):
    """Users made by hand with other passwords while auth is off, and a read-only grant."""
    fresh_etcd.etcdctl('user', 'add', 'root:hand-made-pw')
    fresh_etcd.etcdctl('user', 'add', 'flannel:hand-made-pw')
    fresh_etcd.etcdctl('role', 'add', 'flannel')
    fresh_etcd.etcdctl('role', 'grant-permission', 'flannel', '--prefix=true', 'read', PREFIX)
    fresh_etcd.etcdctl('role', 'grant-permission', 'flannel', 'read', '/extra')
    result = modules.run(MODULE, args(fresh_etcd), diff=True)
    assert result['actions'] == [
        'set the password of user root', 'grant role root to user root',
        'grant readwrite on prefix %s to role flannel' % PREFIX, 'set the password of user flannel',
        'grant role flannel to user flannel', 'enable authentication'], result
    assert result['diff']['before']['passwords']['root'] == 'not checkable while authentication is off'
    # The extra grant is someone else's business and stays.
    assert result['roles']['flannel'] == [
        dict(type='readwrite', key=PREFIX, range_end='/coreos.com/network0', prefix=True),
        dict(type='read', key='/extra', range_end='', prefix=False)]
    assert etcdctl(fresh_etcd, 'root:' + ROOT_PW, 'user', 'list').returncode == 0
    assert etcdctl(fresh_etcd, 'flannel:' + FLANNEL_PW, 'put', PREFIX + 'k', 'v').returncode == 0
    assert modules.run(MODULE, args(fresh_etcd))['changed'] is False


def test_over_tls_with_client_certificates(modules, fresh_etcd_tls, pki):
    tls = dict(ca_cert=pki['ca_cert'], client_cert=pki['client_cert'], client_key=pki['client_key'])
    first = modules.run(MODULE, args(fresh_etcd_tls, **tls))
    assert first['changed'] is True and first['auth_enabled'] is True, first
    assert modules.run(MODULE, args(fresh_etcd_tls, **tls))['changed'] is False
    with pytest.raises(EtcdAuthError):
        EtcdClient([fresh_etcd_tls.url], user='root', password='wrong', **tls).connect()


def test_through_ansible_diff_shows_no_password(modules, fresh_etcd):
    result = modules.run_ansible(MODULE, args(fresh_etcd), diff=True)
    assert result['changed'] is True, result
    assert result['diff']['after']['users'] == CONVERGED['users']
    output = result['_stdout'] + result['_stderr']
    assert ROOT_PW not in output and FLANNEL_PW not in output


@pytest.mark.parametrize('extra, message', [
    (dict(prefix_user='root'), "prefix_user: 'root' is the administrator"),
    (dict(prefix=''), 'prefix: must not be empty'),
])
def test_bad_options_fail_before_connecting(modules, extra, message):
    result = modules.run(MODULE, {'endpoints': ['http://127.0.0.1:1'], 'password': ROOT_PW, 'prefix_user': 'flannel',
                                  'prefix_password': FLANNEL_PW, 'prefix': PREFIX, **extra})
    assert result.get('failed') is True and message in result['msg'], result
