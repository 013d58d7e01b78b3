# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""upgrade.yml's etcd checks as a filter: the rules are module_utils/etcd_upgrade.py, tested there."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: etcd_upgrade_plan
short_description: What keeps etcd from moving a running cluster to a version
version_added: 1.0.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - Takes the target C(etcd_version) and returns C(refusals), the messages of what keeps the members from that
    version (empty when nothing does), and C(check_v2store), whether every member must first pass
    C(etcdutl check v2store) (a step from 3.5 to 3.6 or later).
  - The rules are etcd's upgrade guides for 3.6 and 3.7 (plugins/module_utils/etcd_upgrade.py) - one minor version
    at a time, the lowest patch of the previous minor version (3.5.32 before 3.6, 3.6.11 before 3.7), a v2 store
    with nothing but membership before 3.6, and no C(ETCD_*) variable the target no longer knows.
  - The etcd role's upgrade_checks.yml calls it before anything changes, once without O(v2store) and, when
    C(check_v2store) is true, again with the members' check results.
options:
  _input:
    description: The target version, vMAJOR.MINOR.PATCH.
    type: str
    required: true
  members:
    description: Member name to the version it runs (V(3.5.35) or V(v3.5.35)).
    type: dict
    required: true
  settings:
    description: Where settings come from (V(etcd_extra_env), a member's settings file) to their C(ETCD_*) variables.
    type: dict
    default: {}
  force:
    description: C(etcd_upgrade_force) - skips the version step rules, not the settings or the v2 store.
    type: bool
    default: false
  v2store:
    description: Member name to its registered C(etcdutl check v2store) command result; leave it out before the check.
    type: dict
'''

EXAMPLES = r'''
- name: Note what upgrade.yml would refuse
  ansible.builtin.set_fact:
    _plan: "{{ 'v3.6.16' | overlaynet.flannel.etcd_upgrade_plan({'node1': '3.5.35'}, settings={'etcd_extra_env': {}}) }}"
'''

RETURN = r'''
_value:
  description: C(refusals) (a list of messages) and C(check_v2store) (a bool).
  type: dict
'''

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd_upgrade import as_bool, upgrade_plan


def etcd_upgrade_plan(target, members, settings=None, force=False, v2store=None):
    return upgrade_plan(target, dict(members or {}), dict(settings or {}), as_bool(force),
                        None if v2store is None else dict(v2store))


class FilterModule(object):

    def filters(self):
        return {'etcd_upgrade_plan': etcd_upgrade_plan}
