# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What each member of the etcd group does (member, new, join, rejoin): the rule is module_utils/etcd_membership.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: etcd_membership
short_description: What each etcd member does, decided from the live cluster's member list
version_added: 1.0.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - Takes the members of the etcd group (what each published in preflight) and the running cluster's member list,
    and returns for each host its action (V(member), V(new), V(join) or V(rejoin)), the C(ETCD_INITIAL_CLUSTER_STATE)
    and C(ETCD_INITIAL_CLUSTER) it starts with, the order in which members join, and the refusals of what would
    cost the cluster its data.
options:
  _input:
    description:
      - The members in inventory order, each with C(host), C(name), C(address), C(client_url), C(has_data),
        C(previous_state), C(previous_initial_cluster) and C(settings_file).
    type: list
    elements: dict
    required: true
  live:
    description: The cluster's members as M(overlaynet.flannel.etcd_cluster_info) lists them, or null when none answered.
    type: list
    elements: dict
  reports:
    description: M(overlaynet.flannel.etcd_cluster_info)'s RV(overlaynet.flannel.etcd_cluster_info#module:cluster), for each member's health.
    type: list
    elements: dict
  scheme:
    description: V(http) or V(https), the peer URLs' scheme.
    type: str
    default: http
  peer_port:
    description: The members' peer port.
    type: int
    default: 2380
'''

EXAMPLES = r'''
- name: Decide the members' actions
  ansible.builtin.set_fact:
    membership: "{{ members | overlaynet.flannel.etcd_membership(live_members, scheme='https', peer_port=2380) }}"
'''

RETURN = r'''
_value:
  description: C(hosts) (host -> action, state, initial_cluster, member_id), C(refusals) (host -> messages), C(joining).
  type: dict
'''

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd_membership import plan


def etcd_membership(members, live=None, reports=None, scheme='http', peer_port=2380):
    return plan(list(members), None if live is None else list(live), scheme=scheme, peer_port=int(peer_port),
                reports=None if reports is None else list(reports))


class FilterModule(object):

    def filters(self):
        return {'etcd_membership': etcd_membership}
