# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""site.yml's etcd version checks as a filter: the rules are module_utils/etcd_upgrade.py, tested there."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: etcd_site_refusals
short_description: What keeps site.yml from switching the etcd members to a version
version_added: 1.0.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - Takes the target C(etcd_version) and returns the messages of what keeps site.yml from switching the members to
    it (empty when nothing does), judged from the version each member selects in update-alternatives.
  - The same version step rules as P(overlaynet.flannel.etcd_upgrade_plan#filter); a step from 3.5 to 3.6 is left
    to playbooks/upgrade.yml, which checks the v2 store first; C(ETCD_*) variables the target no longer knows are
    refused.
options:
  _input:
    description: The target version, vMAJOR.MINOR.PATCH.
    type: str
    required: true
  members:
    description: The members (C(etcd_group_name)'s hosts), in inventory order.
    type: list
    elements: str
    required: true
  selected:
    description:
      - Per member, in the same order, the path update-alternatives selects for etcd (V(/opt/etcd/v3.5.35/etcd)),
        or an empty string for a member that selects none.
    type: list
    elements: str
    required: true
  has_data:
    description: Per member, in the same order, whether its data directory holds a member (only those count).
    type: list
    elements: bool
    required: true
  archive_dir:
    description: C(etcd_archive_dir), the parent of the per-version directories; paths elsewhere are left out.
    type: str
    required: true
  settings:
    description: Where settings come from (V(etcd_extra_env)) to their C(ETCD_*) variables.
    type: dict
    default: {}
  force:
    description: C(etcd_upgrade_force) - skips the version step rules, not the settings.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Refuse a version step site.yml should not take
  ansible.builtin.fail:
    msg: "{{ _refusals | join(' ') }}"
  when: _refusals | length > 0
  vars:
    _refusals: "{{ etcd_version | overlaynet.flannel.etcd_site_refusals(['node1'], ['/opt/etcd/v3.5.35/etcd'], [true], '/opt/etcd') }}"
'''

RETURN = r'''
_value:
  description: The messages; empty when site.yml may go ahead.
  type: list
  elements: str
'''

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd_upgrade import (
    as_bool,
    selected_versions,
    site_refusals,
)


def etcd_site_refusals(target, members, selected, has_data, archive_dir, settings=None, force=False):
    paths = dict((member, path if as_bool(data) else '')
                 for member, path, data in zip(members or [], selected or [], has_data or []))
    return site_refusals(target, selected_versions(paths, archive_dir), dict(settings or {}), as_bool(force))


class FilterModule(object):

    def filters(self):
        return {'etcd_site_refusals': etcd_site_refusals}
