# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What each member of the etcd group does, decided from the live cluster's member list."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd_membership import plan

PEER = 'http://10.0.0.%d:2380'


def inventory(*data):
    """One member per flag (has_data), named node1.. at 10.0.0.1..; running members keep what they started with."""
    return [dict(host='node%d' % n, name='node%d' % n, address='10.0.0.%d' % n, has_data=has, healthy=has,
                 previous_state='new' if has else '', previous_initial_cluster='node1=%s' % (PEER % 1) if has else '')
            for n, has in enumerate(data, 1)]


def listed(*numbers, **kwargs):
    return [dict(id='%x' % (0x100 + n), name='' if n in kwargs.get('unstarted', ()) else 'node%d' % n,
                 peer_urls=[PEER % n], is_learner=n in kwargs.get('learners', ())) for n in numbers]


def test_a_new_cluster_starts_together():
    result = plan(inventory(False, False, False), None)
    assert result['joining'] == [] and result['refusals'] == {}
    assert {h['action'] for h in result['hosts'].values()} == {'new'}
    assert result['hosts']['node2']['initial_cluster'] == 'node1=%s,node2=%s,node3=%s' % (PEER % 1, PEER % 2, PEER % 3)


def test_one_to_three_in_one_run_joins_one_at_a_time():
    result = plan(inventory(True, False, False), listed(1))
    assert result['joining'] == ['node2', 'node3'] and result['via'] == 'node1'
    assert result['hosts']['node1'] == dict(action='member', state='new', initial_cluster='node1=%s' % (PEER % 1),
                                            member_id='101')
    # Each joiner's initial cluster is the list as it stands when that joiner is added.
    assert result['hosts']['node2']['initial_cluster'] == 'node1=%s,node2=%s' % (PEER % 1, PEER % 2)
    assert result['hosts']['node3']['initial_cluster'] == 'node1=%s,node2=%s,node3=%s' % (PEER % 1, PEER % 2, PEER % 3)
    assert result['hosts']['node3']['state'] == 'existing'


def test_a_member_announced_by_an_earlier_run_is_named_from_the_inventory():
    result = plan(inventory(True, False), listed(1, 2, unstarted=(2,), learners=(2,)))
    assert result['joining'] == ['node2'] and result['hosts']['node2']['action'] == 'join'
    assert result['hosts']['node2']['initial_cluster'] == 'node1=%s,node2=%s' % (PEER % 1, PEER % 2)
    assert result['hosts']['node2']['member_id'] == '102'


def test_a_member_whose_data_is_gone_is_removed_and_added_again():
    members = inventory(True, True, False)
    members[1]['healthy'] = True
    result = plan(members, listed(1, 2, 3))
    assert result['joining'] == ['node3'] and result['hosts']['node3']['action'] == 'rejoin', result
    assert result['hosts']['node3']['member_id'] == '103'
    assert result['refusals'] == {}


def test_the_only_member_on_an_empty_directory_is_refused():
    result = plan(inventory(False), listed(1))
    assert result['joining'] == []
    [message] = result['refusals']['node1']
    assert 'node1 is the only voting member of the running cluster' in message and 'new, empty cluster' in message


def test_a_rejoin_that_could_cost_the_quorum_is_refused():
    members = inventory(True, True, False)
    members[1]['healthy'] = False
    result = plan(members, listed(1, 2, 3))
    assert 'node2 is not healthy' in result['refusals']['node3'][0]


def test_a_member_with_data_the_cluster_no_longer_lists_is_refused():
    result = plan(inventory(True, True), listed(1))
    assert 'the cluster no longer lists it (its members: node1)' in result['refusals']['node2'][0]


def test_health_comes_from_the_cluster_reports():
    members = [dict(m, client_url='http://10.0.0.%d:2379' % n) for n, m in enumerate(inventory(True, True, False), 1)]
    reports = [dict(endpoint='http://10.0.0.1:2379', healthy=True), dict(endpoint='http://10.0.0.2:2379', healthy=False)]
    assert 'node2 is not healthy' in plan(members, listed(1, 2, 3), reports=reports)['refusals']['node3'][0]
    reports[1]['healthy'] = True
    assert plan(members, listed(1, 2, 3), reports=reports)['joining'] == ['node3']


def test_without_an_answer_the_local_data_decides():
    result = plan(inventory(True, False), None)
    assert result['hosts']['node2']['action'] == 'join' and result['hosts']['node2']['state'] == 'existing'
    assert result['hosts']['node1']['action'] == 'member' and result['joining'] == ['node2']
