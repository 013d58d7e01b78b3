#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: etcd_member
short_description: Announce a member to a running etcd cluster, or remove one
version_added: 1.0.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - Ensures a member is announced to the cluster (the step before a new member starts with
    C(ETCD_INITIAL_CLUSTER_STATE=existing)), or is no longer part of it.
  - A member is recognised by any of its peer URLs, or by its name. A member that was announced but never started has
    no name yet; its peer URL still finds it, so a run that stopped between the announcement and the start does not
    announce it twice.
  - Talks to the cluster through the collection's client (O(endpoints) with failover, TLS, authentication), never
    through C(etcdctl) output.
extends_documentation_fragment:
  - overlaynet.flannel.etcd
  - overlaynet.flannel.attributes
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    details: Lists the members and predicts the change without making it.
  diff_mode:
    details: The member list before and after, one member per line.
options:
  name:
    description:
      - The member's name (C(ETCD_NAME)).
    type: str
    required: true
  peer_urls:
    description:
      - The member's peer URLs, for example V(https://10.0.0.14:2380). Required with O(state=present).
    type: list
    elements: str
    default: []
  state:
    description:
      - V(present) announces the member unless it is already listed; V(absent) removes it if it is listed;
        V(promoted) makes a listed learner a voting member (etcd refuses until the learner caught up with the leader,
        so retry the task until it passes).
    type: str
    choices: [present, absent, promoted]
    default: present
  learner:
    description:
      - With O(state=present), announce the member as a learner - it receives the data but does not vote, so the
        cluster's quorum does not change until it is promoted (etcd's way to add members).
    type: bool
    default: false
seealso:
  - module: overlaynet.flannel.etcd_cluster_info
'''

EXAMPLES = r'''
# The connection options once for every etcd module of the block, through the action group.
- name: Change the members through etcd1, with its certificate
  module_defaults:
    group/overlaynet.flannel.etcd:
      endpoints: ['https://10.0.0.11:2379']
      ca_cert: /etc/etcd/pki/ca.crt
      client_cert: /etc/etcd/pki/member.crt
      client_key: /etc/etcd/pki/member.key
  block:
    - name: Announce etcd4 before it starts
      overlaynet.flannel.etcd_member:
        name: etcd4
        peer_urls: ['https://10.0.0.14:2380']

    - name: Remove etcd2 from the cluster
      overlaynet.flannel.etcd_member:
        name: etcd2
        state: absent
'''

RETURN = r'''
member:
  description: The member as etcd lists it after the task (before it, for O(state=absent)); null when there is none.
  returned: always
  type: dict
  sample: {"id": "8e9e05c52164694d", "name": "", "peer_urls": ["http://10.0.0.14:2380"], "client_urls": [], "is_learner": true}
members:
  description: Every member of the cluster after the task (as it would be, in check mode).
  returned: always
  type: list
  elements: dict
endpoint:
  description: The etcd endpoint that was used.
  returned: success
  type: str
  sample: https://10.0.0.11:2379
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd import (
    ETCD_CONNECTION_REQUIRED_TOGETHER,
    EtcdError,
    connected_client,
    etcd_argument_spec,
)


def find_member(members, name, peer_urls):
    """The listed member with any of peer_urls, else the one named name (names are empty until a member starts)."""
    for member in members:
        if set(member['peer_urls']) & set(peer_urls):
            return member
    for member in members:
        if name and member['name'] == name:
            return member
    return None


def listing(members):
    lines = []
    for m in sorted(members, key=lambda m: (m['name'], m['id'])):
        lines.append('%s %s %s%s\n' % (m['name'] or '(not started)', m['id'], ','.join(sorted(m['peer_urls'])),
                                       ' (learner)' if m.get('is_learner') else ''))
    return ''.join(lines)


def main():
    module = AnsibleModule(
        argument_spec=etcd_argument_spec(
            name=dict(type='str', required=True),
            peer_urls=dict(type='list', elements='str', default=[]),
            state=dict(type='str', default='present', choices=['present', 'absent', 'promoted']),
            learner=dict(type='bool', default=False),
        ),
        required_if=[('state', 'present', ('peer_urls',))],
        required_together=ETCD_CONNECTION_REQUIRED_TOGETHER,
        supports_check_mode=True,
    )
    params = module.params
    if params['state'] == 'present' and not [url for url in params['peer_urls'] if url]:
        module.fail_json(msg='peer_urls: give the peer URLs the member %s listens on' % params['name'])

    with connected_client(module) as client:
        before = client.members()
        member = find_member(before, params['name'], params['peer_urls'])
        after = list(before)
        if params['state'] == 'present' and member is None:
            member = dict(id='', name='', peer_urls=list(params['peer_urls']), client_urls=[], is_learner=params['learner'])
            if not module.check_mode:
                member = client.member_add(params['peer_urls'], learner=params['learner'])
            after = before + [member]
            changed = True
        elif params['state'] == 'absent' and member is not None:
            if not module.check_mode:
                client.member_remove(member['id'])
            after = [m for m in before if m is not member]
            changed = True
        elif params['state'] == 'promoted' and member is None:
            module.fail_json(msg='%s is not a member of the cluster: announce it first (state=present)' % params['name'],
                             members=before)
        elif params['state'] == 'promoted' and member.get('is_learner'):
            if not module.check_mode:
                try:
                    after = client.member_promote(member['id'])
                except EtcdError as exc:
                    module.fail_json(msg='%s is still a learner: %s' % (params['name'], exc), members=before)
            else:
                after = [dict(m, is_learner=False) if m is member else m for m in before]
            member = [m for m in after if m['id'] == member['id']][0]
            changed = True
        else:
            changed = False
        endpoint = str(client.endpoint)

    result = dict(changed=changed, member=member, members=after, endpoint=endpoint)
    if module._diff:
        result['diff'] = dict(before_header='etcd members (before)', after_header='etcd members (after)',
                              before=listing(before), after=listing(after))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
