# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The backups playbooks/backup.yml removes from the controller: the rule is module_utils/etcd_snapshot.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: etcd_backup_prune
short_description: The backup snapshots of one etcd cluster beyond the newest few
version_added: 1.1.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - Takes paths of files and returns those that are backups of the cluster O(cluster) - named
    C(<cluster>-<UTC time YYYYmmddTHHMMSSZ>.db), as C(playbooks/backup.yml) names them - beyond the newest O(keep),
    oldest first.
  - Any other file, another cluster's backups included (C(<cluster>-2-...) is not C(<cluster>)'s), is never returned.
  - Fails unless O(keep) is a whole number of at least 1, so the newest backup is always kept.
options:
  _input:
    description: Paths of files, for example the RV(ansible.builtin.find#module:files) of a directory.
    type: list
    elements: str
    required: true
  cluster:
    description: The cluster's name in the file names (the etcd role's C(etcd_cluster_token)).
    type: str
    required: true
  keep:
    description: How many of the newest backups to keep.
    type: int
    required: true
'''

EXAMPLES = r'''
- name: Remove all but the newest 7 backups of the cluster
  ansible.builtin.file:
    path: "{{ item }}"
    state: absent
  loop: "{{ _found.files | map(attribute='path') | overlaynet.flannel.etcd_backup_prune('overlaynet-etcd', 7) }}"
'''

RETURN = r'''
_value:
  description: The paths to remove, oldest first; empty when there are no more than O(keep) backups.
  type: list
  elements: str
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd_snapshot import backups_to_prune


def etcd_backup_prune(paths, cluster, keep):
    try:
        return backups_to_prune(list(paths), cluster, keep)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):

    def filters(self):
        return {'etcd_backup_prune': etcd_backup_prune}
