# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""etcd_member run for real against an etcd of the test's own (membership is cluster-wide state).

A member announced to a one-member cluster would take its quorum away, so these tests use a
second single-member cluster only as long as membership reads still work: MemberList and
MemberAdd answer from the local member (a 2-member cluster with one never started still lists).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time

from conftest import EtcdServer, free_port

MODULE = 'etcd_member'


def test_announce_once_then_found_by_peer_url(modules, fresh_etcd):
    url = 'http://127.0.0.1:%d' % free_port()
    args = {'endpoints': [fresh_etcd.url], 'name': 'etcd9', 'peer_urls': [url]}

    checked = modules.run(MODULE, args, check=True, diff=True)
    assert checked['changed'] is True and len(checked['members']) == 2, checked
    assert '(not started)' in checked['diff']['after'] and '(not started)' not in checked['diff']['before']
    assert len(modules.run(MODULE, {'endpoints': [fresh_etcd.url], 'name': 'x', 'peer_urls': [url]}, check=True)['members']) == 2

    added = modules.run(MODULE, args)
    assert added['changed'] is True and added['member']['peer_urls'] == [url] and added['member']['id'], added
    # Not started, so etcd lists it without a name: the peer URL finds it, no second announcement.
    again = modules.run(MODULE, args)
    assert again['changed'] is False, again
    assert again['member']['id'] == added['member']['id'] and again['member']['name'] == ''
    assert sorted(len(m['peer_urls']) for m in again['members']) == [1, 1]


def test_absent_member_and_bad_input(modules, fresh_etcd):
    gone = modules.run(MODULE, {'endpoints': [fresh_etcd.url], 'name': 'nobody', 'state': 'absent'}, diff=True)
    assert gone['changed'] is False and gone['member'] is None and len(gone['members']) == 1
    assert gone['diff']['before'] == gone['diff']['after']
    # The only member, by name: found, and in check mode removal is only predicted.
    own = modules.run(MODULE, {'endpoints': [fresh_etcd.url], 'name': 'unit', 'state': 'absent'}, check=True)
    assert own['changed'] is True and own['members'] == [] and own['member']['name'] == 'unit', own
    assert len(modules.run(MODULE, {'endpoints': [fresh_etcd.url], 'name': 'nobody', 'state': 'absent'})['members']) == 1

    bad = modules.run(MODULE, {'endpoints': [fresh_etcd.url], 'name': 'etcd9', 'peer_urls': ['']})
    assert bad.get('failed') is True and bad['msg'] == 'peer_urls: give the peer URLs the member etcd9 listens on'


def test_a_learner_is_announced_then_promoted_once_it_caught_up(modules, fresh_etcd, tmp_path):
    workdir = str(tmp_path / 'second')
    os.makedirs(workdir)
    second = EtcdServer(workdir)
    peer = 'http://127.0.0.1:%d' % second.peer_port
    args = {'endpoints': [fresh_etcd.url], 'name': 'second', 'peer_urls': [peer]}
    added = modules.run(MODULE, dict(args, learner=True), diff=True)
    assert added['changed'] and added['member']['is_learner'], added
    assert '(learner)' in added['diff']['after']
    early = modules.run(MODULE, dict(args, state='promoted'))
    assert early['failed'] and early['msg'].startswith('second is still a learner'), early
    # A learner serves no member list, which EtcdServer's readiness check asks for.
    second._wait_ready = lambda: None  # pylint: disable=protected-access
    second.extra_args = ['--name', 'second', '--initial-cluster-state', 'existing', '--initial-cluster',
                         'unit=http://127.0.0.1:%d,second=%s' % (fresh_etcd.peer_port, peer)]
    second.start()
    try:
        deadline = time.time() + 20
        promoted = modules.run(MODULE, dict(args, state='promoted'))
        while promoted.get('failed') and time.time() < deadline:
            time.sleep(0.5)
            promoted = modules.run(MODULE, dict(args, state='promoted'))
        assert promoted['changed'] and promoted['member']['is_learner'] is False, promoted
        assert modules.run(MODULE, dict(args, state='promoted'))['changed'] is False
        assert modules.run(MODULE, dict(args, name='nobody', peer_urls=['http://127.0.0.1:1'], state='promoted'))['failed']
    finally:
        second.stop()
