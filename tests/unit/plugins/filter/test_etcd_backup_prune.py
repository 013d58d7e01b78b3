# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which backups playbooks/backup.yml removes from the controller: the rule directly, then the filter as Ansible
renders it in the role."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd_snapshot import backups_to_prune

DIR = '/srv/etcd-backups/'


def backups(*times, **named):
    cluster = named.get('cluster', 'overlaynet-etcd')
    return [DIR + '%s-%s.db' % (cluster, time) for time in times]


def test_the_newest_are_kept_and_the_oldest_go_first():
    # Given out of order, as a directory listing may be.
    paths = backups('20261203T150000Z', '20261201T150000Z', '20270101T000000Z', '20261202T150000Z')
    assert backups_to_prune(paths, 'overlaynet-etcd', 2) == backups('20261201T150000Z', '20261202T150000Z')
    assert backups_to_prune(paths, 'overlaynet-etcd', 4) == []
    assert backups_to_prune(paths, 'overlaynet-etcd', 7) == []
    assert backups_to_prune(paths, 'overlaynet-etcd', '3') == backups('20261201T150000Z')
    assert backups_to_prune([], 'overlaynet-etcd', 1) == []
    # A path given twice (the new backup added to a listing that already has it) counts once.
    assert backups_to_prune(paths + paths[:1], 'overlaynet-etcd', 3) == backups('20261201T150000Z')


def test_only_the_clusters_own_backups_are_chosen():
    ours = backups('20261201T150000Z', '20261202T150000Z')
    others = (backups('20261101T150000Z', cluster='overlaynet-etcd-2')
              + backups('20261101T150000Z', cluster='other')
              + [DIR + 'overlaynet-etcd-20261101T150000Z.db.part',
                 DIR + '.overlaynet-etcd-20261101T150000Z.db.part',
                 DIR + 'overlaynet-etcd-20261101.db',
                 DIR + 'overlaynet-etcd-latest.db',
                 DIR + 'notes.txt'])
    assert backups_to_prune(others + ours, 'overlaynet-etcd', 1) == ours[:1]
    # A name with characters a pattern would read as its own.
    dotted = backups('20261201T150000Z', '20261202T150000Z', cluster='a.b')
    assert backups_to_prune(dotted + backups('20261130T150000Z', cluster='aXb'), 'a.b', 1) == dotted[:1]


@pytest.mark.parametrize('keep', [0, -1, '0', 'seven', None, True, 2.5, ''])
def test_a_keep_count_below_one_is_refused(keep):
    with pytest.raises(ValueError) as error:
        backups_to_prune(backups('20261201T150000Z'), 'overlaynet-etcd', keep)
    assert str(error.value) == ('etcd_backup_keep: %r: give the number of backups to keep, a whole number of at '
                                'least 1 (0 would remove the backup just made)' % (keep,))


def render(modules, template):
    return modules.run_ansible('debug', dict(msg=template), collection='ansible.builtin')


def test_the_filter_as_the_role_calls_it(modules):
    listing = backups('20261201T150000Z', '20261202T150000Z', '20261203T150000Z') + [DIR + 'notes.txt']
    result = render(modules, "{{ %r | overlaynet.flannel.etcd_backup_prune('overlaynet-etcd', '2') }}" % listing)
    assert result['msg'] == listing[:1], result
    refused = render(modules, "{{ %r | overlaynet.flannel.etcd_backup_prune('overlaynet-etcd', 0) }}" % listing)
    assert refused['failed'] is True, refused
    assert 'etcd_backup_keep: 0: give the number of backups to keep' in refused['msg'], refused['msg']
