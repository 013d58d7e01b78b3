#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: etcd_key
short_description: Set or delete one key in etcd (v3 API)
version_added: 1.0.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - Ensures one etcd key holds a given value, or does not exist.
  - With O(json_value) the value is compared by meaning (parsed JSON) and written as compact JSON with sorted keys,
    so formatting differences do not count as a change.
  - Shares the connection options (failover over several endpoints, TLS, authentication) with the other modules of
    this collection.
extends_documentation_fragment:
  - overlaynet.flannel.etcd
  - overlaynet.flannel.attributes
  - ansible.builtin.action_common_attributes
options:
  key:
    description:
      - The etcd key, for example V(/coreos.com/network/config).
    type: str
    required: true
  value:
    description:
      - The value as text, compared and written byte for byte (UTF-8).
      - Mutually exclusive with O(json_value). One of them is required when O(state=present).
    type: str
  json_value:
    description:
      - Any data (dictionary, list, string, number, boolean, null), stored as compact JSON with sorted keys.
      - Compared with the stored value by meaning, so key order and white space in the stored JSON do not matter.
        A stored value that is not valid JSON always counts as different.
      - Mutually exclusive with O(value).
    type: raw
  state:
    description:
      - V(present) sets the key; V(absent) deletes it (O(value) and O(json_value) are not needed then).
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: overlaynet.flannel.flannel_network
  - plugin: community.general.etcd3
    plugin_type: lookup
'''

EXAMPLES = r'''
- name: Store a plain value
  overlaynet.flannel.etcd_key:
    key: /overlaynet/cluster-name
    value: lab

- name: Store structured data as compact JSON (idempotent whatever the key order)
  overlaynet.flannel.etcd_key:
    endpoints: ['https://10.0.0.11:2379', 'https://10.0.0.12:2379']
    ca_cert: /etc/etcd/pki/ca.pem
    user: root
    password: "{{ etcd_root_password }}"
    key: /overlaynet/settings
    json_value:
      mtu: 1450
      backend: vxlan

- name: Delete a key
  overlaynet.flannel.etcd_key:
    key: /overlaynet/cluster-name
    state: absent
'''

RETURN = r'''
key:
  description: The key that was managed.
  returned: always
  type: str
  sample: /overlaynet/settings
value:
  description: The text stored at the key after the task (null when it does not exist).
  returned: always
  type: str
  sample: '{"backend":"vxlan","mtu":1450}'
previous_value:
  description: The text stored at the key before the task (null when it did not exist).
  returned: always
  type: str
  sample: '{"mtu": 1400}'
endpoint:
  description: The etcd endpoint that was used.
  returned: success
  type: str
  sample: https://10.0.0.11:2379
'''

import json

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd import (
    ETCD_CONNECTION_REQUIRED_TOGETHER,
    connected_client,
    etcd_argument_spec,
)


def compact_json(data):
    return json.dumps(data, sort_keys=True, separators=(',', ':'))


def same_json(stored_text, wanted):
    try:
        return json.loads(stored_text) == wanted
    except ValueError:
        return False


def desired_text(params):
    """The text to store, or None for state=absent."""
    if params['state'] == 'absent':
        return None
    if params['json_value'] is not None or params['value'] is None:
        return compact_json(params['json_value'])
    return params['value']


def is_changed(params, previous):
    if params['state'] == 'absent':
        return previous is not None
    if previous is None:
        return True
    if params['value'] is not None:
        return previous != params['value']
    return not same_json(previous, params['json_value'])


def diff_side(text):
    if text is None:
        return ''
    return text if text.endswith('\n') else text + '\n'


def main():
    module = AnsibleModule(
        argument_spec=etcd_argument_spec(
            key=dict(type='str', required=True, no_log=False),
            value=dict(type='str'),
            json_value=dict(type='raw'),
            state=dict(type='str', default='present', choices=['present', 'absent']),
        ),
        mutually_exclusive=[('value', 'json_value')],
        required_if=[('state', 'present', ('value', 'json_value'), True)],
        required_together=ETCD_CONNECTION_REQUIRED_TOGETHER,
        supports_check_mode=True,
    )
    params = module.params
    if not params['key']:
        module.fail_json(msg='key: must not be empty')

    with connected_client(module) as client:
        raw, _lease = client.get(params['key'])
        previous = raw.decode('utf-8', 'replace') if raw is not None else None
        changed = is_changed(params, previous)
        wanted = desired_text(params)
        if changed and not module.check_mode:
            if wanted is None:
                client.delete(params['key'])
            else:
                client.put(params['key'], wanted)
        endpoint = str(client.endpoint)

    result = dict(
        changed=changed, key=params['key'], endpoint=endpoint, previous_value=previous,
        value=wanted if changed else previous,
    )
    if module._diff:
        result['diff'] = dict(
            before_header='%s (etcd, before)' % params['key'],
            after_header='%s (etcd, after)' % params['key'],
            before=diff_side(previous),
            after=diff_side(result['value']),
        )
    module.exit_json(**result)


if __name__ == '__main__':
    main()
