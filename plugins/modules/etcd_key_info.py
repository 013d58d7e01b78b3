#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: etcd_key_info
short_description: Read one key from etcd (v3 API)
version_added: 0.1.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - Reads one etcd key and changes nothing. The value is returned as text, and parsed when it is valid JSON.
  - Shares the connection options (failover over several endpoints, TLS, authentication) with the other modules of
    this collection.
extends_documentation_fragment:
  - overlaynet.flannel.etcd
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The module only reads.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  key:
    description:
      - The etcd key, for example V(/coreos.com/network/config).
    type: str
    required: true
seealso:
  - module: overlaynet.flannel.etcd_key
'''

EXAMPLES = r'''
- name: Read flannel's network config
  overlaynet.flannel.etcd_key_info:
    endpoints: ['http://127.0.0.1:2379']
    key: /coreos.com/network/config
  register: flannel_config

- name: Show its Network
  ansible.builtin.debug:
    msg: "{{ flannel_config.json.Network }}"
  when: flannel_config.exists
'''

RETURN = r'''
key:
  description: The key that was read.
  returned: always
  type: str
  sample: /coreos.com/network/config
exists:
  description: Whether the key exists.
  returned: always
  type: bool
  sample: true
value:
  description: The text stored at the key (null when it does not exist).
  returned: always
  type: str
  sample: '{"Network":"10.244.0.0/16"}'
json:
  description: RV(value) parsed as JSON; null when the key does not exist or its value is not valid JSON.
  returned: always
  type: raw
  sample: {"Network": "10.244.0.0/16"}
endpoint:
  description: The etcd endpoint that was used.
  returned: success
  type: str
  sample: https://10.0.0.11:2379
'''

import json

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd import (
    EtcdError,
    ETCD_CONNECTION_REQUIRED_TOGETHER,
    connect_from_module,
    etcd_argument_spec,
)


def parse_json(text):
    try:
        return json.loads(text) if text is not None else None
    except ValueError:
        return None


def main():
    module = AnsibleModule(
        argument_spec=etcd_argument_spec(key=dict(type='str', required=True, no_log=False)),
        required_together=ETCD_CONNECTION_REQUIRED_TOGETHER,
        supports_check_mode=True,
    )
    key = module.params['key']
    if not key:
        module.fail_json(msg='key: must not be empty')

    client = connect_from_module(module)
    try:
        raw, _lease = client.get(key)
        endpoint = str(client.endpoint)
    except EtcdError as exc:
        module.fail_json(msg=str(exc))
    finally:
        client.close()

    value = raw.decode('utf-8', 'replace') if raw is not None else None
    module.exit_json(changed=False, key=key, endpoint=endpoint, exists=value is not None, value=value,
                     json=parse_json(value))


if __name__ == '__main__':
    main()
