#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: flannel_network
short_description: Manage flannel's network configuration in etcd
version_added: 1.0.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - Writes flannel's network configuration as JSON to C(<prefix>/config) in etcd (v3 API), where flanneld reads it.
  - The configuration is validated the way flanneld validates it (and a little stricter) before anything is written,
    so a typo fails the task instead of the flanneld daemons.
  - The stored value is compared by meaning (parsed JSON), and written as compact JSON with sorted keys, so repeated runs
    report no change.
  - Changing C(Network), C(IPv6Network) or C(Backend.Type) while hosts hold leases under C(<prefix>/subnets/) would cut them
    off from each other, so the module refuses it unless O(force=true).
extends_documentation_fragment:
  - overlaynet.flannel.etcd
  - overlaynet.flannel.attributes
  - ansible.builtin.action_common_attributes
options:
  prefix:
    description:
      - The etcd key prefix flanneld was started with (C(--etcd-prefix)).
      - Must start with V(/) and must not end with V(/).
    type: str
    default: /coreos.com/network
  config:
    description:
      - flannel's network configuration, with flannel's own key names (C(Network), C(SubnetLen), C(SubnetMin), C(SubnetMax),
        C(EnableIPv4), C(EnableIPv6), C(IPv6Network), C(IPv6SubnetLen), C(IPv6SubnetMin), C(IPv6SubnetMax),
        C(EnableNFTables), C(Backend)).
      - C(Backend) is a dictionary with C(Type) (one of V(alloc), V(extension), V(host-gw), V(ipip), V(ipsec), V(udp),
        V(vxlan), V(wireguard)) and that backend's options, for example C(VNI), C(Port), C(MTU), C(GBP),
        C(DirectRouting) for V(vxlan). Without C(Backend) flanneld uses V(udp).
      - Unknown keys, wrong types, out-of-range values, a C(SubnetLen) the network cannot hold and C(SubnetMin)/C(SubnetMax)
        outside the network or not on a subnet boundary are rejected, each error naming the field and the rule.
      - Values of C(Backend.PSK) are treated as secrets and hidden from the output.
      - Required when O(state=present).
    type: dict
  state:
    description:
      - V(present) writes O(config); V(absent) deletes C(<prefix>/config) (leases are left alone, they expire on their own).
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - Write even when the change of C(Network), C(IPv6Network) or C(Backend.Type) is incompatible with existing leases.
      - Every flanneld then has to be restarted; old leases stay until they expire (24 hours after their flanneld stopped
        renewing them) unless deleted.
    type: bool
    default: false
  hosts:
    description:
      - The hosts that run (or will run) flanneld, as M(overlaynet.flannel.host_info) read them, keyed by host name; only
        its C(addresses), C(routes), C(subnet_env) and C(docker_on_flannel) are used.
      - A C(Network) that overlaps an address or route of any of them is refused before anything is written, naming
        each host and what it collides with. Addresses and routes inside the Network flannel already runs (the stored
        configuration's, or the host's C(FLANNEL_NETWORK)), on flanneld's devices, or on docker0 once docker runs on the
        overlay, are flannel's own and no conflict.
    type: dict
    default: {}
seealso:
  - module: overlaynet.flannel.etcd_key
  - module: overlaynet.flannel.host_info
'''

EXAMPLES = r'''
- name: Configure a VXLAN overlay for flannel
  overlaynet.flannel.flannel_network:
    endpoints:
      - https://10.0.0.11:2379
      - https://10.0.0.12:2379
    ca_cert: /etc/etcd/pki/ca.pem
    client_cert: /etc/etcd/pki/client.pem
    client_key: /etc/etcd/pki/client-key.pem
    config:
      Network: 10.5.0.0/16
      SubnetLen: 24
      Backend:
        Type: vxlan
        VNI: 1
        Port: 8472
  run_once: true

- name: Run it from the controller instead of on a managed host
  overlaynet.flannel.flannel_network:
    endpoints: ['http://10.0.0.11:2379']
    config:
      Network: 10.5.0.0/16
      Backend:
        Type: host-gw
  delegate_to: localhost
  run_once: true

- name: Move to another network although hosts still hold leases (restart every flanneld afterwards)
  overlaynet.flannel.flannel_network:
    config:
      Network: 10.6.0.0/16
      Backend:
        Type: vxlan
    force: true

- name: Remove the configuration
  overlaynet.flannel.flannel_network:
    state: absent
'''

RETURN = r'''
config:
  description: The configuration now stored (null after O(state=absent)).
  returned: always
  type: dict
  sample: {"Network": "10.5.0.0/16", "SubnetLen": 24, "Backend": {"Type": "vxlan", "VNI": 1}}
previous_config:
  description:
    - The configuration stored before the task, parsed; null when there was none.
    - When the stored value was not valid JSON this is the raw text, and a warning says so.
  returned: always
  type: raw
  sample: {"Network": "10.5.0.0/16", "Backend": {"Type": "udp"}}
key:
  description: The etcd key holding the configuration.
  returned: always
  type: str
  sample: /coreos.com/network/config
value:
  description: The exact (compact JSON) text now stored at RV(key); null after O(state=absent).
  returned: always
  type: str
  sample: '{"Backend":{"Type":"vxlan"},"Network":"10.5.0.0/16"}'
leases:
  description: The subnet leases flanneld hosts hold under C(<prefix>/subnets/), as found before the task.
  returned: always
  type: list
  elements: dict
  contains:
    subnet:
      description: The IPv4 subnet leased to a host.
      type: str
      sample: 10.5.1.0/24
    ipv6_subnet:
      description: The IPv6 subnet of the lease, or null.
      type: str
      sample: null
    public_ip:
      description: The host's public (underlay) IP address.
      type: str
      sample: 192.168.56.11
    backend_type:
      description: The backend the host runs.
      type: str
      sample: vxlan
    ttl:
      description: Seconds until the lease expires unless renewed; null if the key has no etcd lease.
      type: int
      sample: 86321
hosts_on_other_backend:
  description:
    - The hosts of O(hosts) whose lease in etcd names another backend than O(config)'s, so their flanneld
      still runs the old one (flanneld reads the config only when it starts) and has to be restarted.
    - Found also after a run that wrote the config and stopped before every flanneld had restarted.
  returned: always
  type: list
  elements: str
  sample: [node2, node3]
overlaps:
  description: Per host of O(hosts), what C(Network) overlaps there (only hosts with a conflict; the task then fails).
  returned: always
  type: dict
  sample: {"node2": ["address 10.244.3.7/24 on eth1"]}
incompatible_changes:
  description:
    - Changes that hosts holding leases cannot follow while they restart one at a time (made anyway only with
      O(force=true)) - a new C(Network) or C(IPv6Network); a lease that no longer fits C(SubnetLen), C(SubnetMin),
      C(SubnetMax) or C(EnableIPv6) (flanneld would delete it and renumber its host); a new C(Backend.Type); a
      backend option every host must share (vxlan C(VNI), C(Port), C(GBP); udp C(Port); wireguard C(PSK), C(Mode);
      ipsec C(PSK), C(UDPEncap), C(ESPProposal)).
  returned: always
  type: list
  elements: str
  sample: ["Network: 10.5.0.0/16 -> 10.6.0.0/16"]
endpoint:
  description: The etcd endpoint that was used.
  returned: success
  type: str
  sample: https://10.0.0.11:2379
ran_as:
  description:
    - Always V(module) (this module ran on the host). Earlier versions' action could also answer V(script).
  returned: when etcd was reached
  type: str
  sample: module
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd import connected_client
from ansible_collections.overlaynet.flannel.plugins.module_utils.flannel_network import (
    ARGUMENT_SPEC,
    REQUIRED_IF,
    REQUIRED_TOGETHER,
    Refused,
    apply,
    params_error,
    secrets_of,
)


def main():
    module = AnsibleModule(
        argument_spec=ARGUMENT_SPEC,
        required_if=REQUIRED_IF,
        required_together=REQUIRED_TOGETHER,
        supports_check_mode=True,
    )
    module.no_log_values.update(secrets_of(module.params))
    failure = params_error(module.params)
    if failure:
        module.fail_json(**failure)

    refusal = None
    with connected_client(module) as client:
        try:
            result = apply(client, module.params, module.check_mode, module._diff)
        except Refused as exc:
            result, refusal = exc.result, str(exc)
    module.no_log_values.update(result.pop('secrets'))
    for warning in result.pop('warnings'):
        module.warn(warning)
    result['ran_as'] = 'module'
    if refusal:
        module.fail_json(msg=refusal, **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
