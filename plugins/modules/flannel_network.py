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
version_added: 0.1.0
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
  description: Changes that existing leases cannot follow (made anyway only with O(force=true)).
  returned: always
  type: list
  elements: str
  sample: ["Network: 10.5.0.0/16 -> 10.6.0.0/16"]
endpoint:
  description: The etcd endpoint that was used.
  returned: success
  type: str
  sample: https://10.0.0.11:2379
'''

import json
import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd import (
    ETCD_CONNECTION_REQUIRED_TOGETHER,
    connected_client,
    etcd_argument_spec,
)
from ansible_collections.overlaynet.flannel.plugins.module_utils.host_state import overlaps as host_overlaps
from ansible_collections.overlaynet.flannel.plugins.module_utils.flannel_config import (
    backend_type,
    incompatible_changes,
    secret_values,
    to_json,
    to_pretty_json,
    validate_config,
)

DEFAULT_PREFIX = '/coreos.com/network'

# flanneld names lease keys <ipv4 subnet>-<len>, with "&<ipv6 subnet>-<len>" appended in dual stack.
LEASE_KEY = re.compile(r'^(\d+\.\d+\.\d+\.\d+)-(\d+)(?:&([0-9a-fA-F:]+)-(\d+))?$')


def prefix_error(prefix):
    if not prefix.startswith('/'):
        return 'prefix: %r must be absolute (start with /)' % prefix
    if len(prefix) > 1 and prefix.endswith('/'):
        return 'prefix: %r must not end with / (flanneld appends /config and /subnets/ itself)' % prefix
    if prefix == '/':
        return 'prefix: "/" is not usable: flanneld needs a prefix such as /coreos.com/network'
    if '//' in prefix:
        return 'prefix: %r must not contain empty path segments (//)' % prefix
    return None


def parse_lease(key, raw, ttl):
    """Turn one <prefix>/subnets/ entry into the returned lease dict, or None if it is not a lease."""
    match = LEASE_KEY.match(key.rsplit('/', 1)[-1])
    if not match:
        return None
    try:
        attrs = json.loads(raw.decode('utf-8'))
    except ValueError:
        attrs = {}
    if not isinstance(attrs, dict):
        attrs = {}
    ipv6_subnet = '%s/%s' % (match.group(3), match.group(4)) if match.group(3) else None
    return dict(
        subnet='%s/%s' % (match.group(1), match.group(2)),
        ipv6_subnet=ipv6_subnet,
        public_ip=attrs.get('PublicIP'),
        backend_type=attrs.get('BackendType'),
        ttl=ttl,
    )


def read_leases(client, prefix):
    leases = []
    for key, raw, lease_id in client.get_prefix(prefix + '/subnets/'):
        lease = parse_lease(key, raw, client.lease_ttl(lease_id))
        if lease is not None:
            leases.append(lease)
    return leases


def read_config(client, key):
    """Return (raw text or None, parsed JSON or None, whether the stored text is valid JSON)."""
    raw, _lease = client.get(key)
    if raw is None:
        return None, None, True
    text = raw.decode('utf-8', 'replace')
    try:
        return text, json.loads(text), True
    except ValueError:
        return text, None, False


def diff_text(parsed, text, valid):
    if text is None:
        return ''
    if valid:
        return to_pretty_json(parsed)
    return text if text.endswith('\n') else text + '\n'


def main():
    module = AnsibleModule(
        argument_spec=etcd_argument_spec(
            prefix=dict(type='str', default=DEFAULT_PREFIX),
            config=dict(type='dict'),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            force=dict(type='bool', default=False),
            hosts=dict(type='dict', default={}),
        ),
        required_if=[('state', 'present', ('config',))],
        required_together=ETCD_CONNECTION_REQUIRED_TOGETHER,
        supports_check_mode=True,
    )
    prefix = module.params['prefix']
    state = module.params['state']
    desired = module.params['config'] if state == 'present' else None
    key = prefix + '/config'

    error = prefix_error(prefix)
    if error:
        module.fail_json(msg=error)
    if desired is not None:
        module.no_log_values.update(secret_values(desired))
        errors = validate_config(desired)
        if errors:
            module.fail_json(msg='invalid flannel config: %s' % '; '.join(errors), errors=errors)

    with connected_client(module) as client:
        result = run(module, client, key, prefix, desired)
    module.exit_json(**result)


def run(module, client, key, prefix, desired):
    text, previous, valid = read_config(client, key)
    if isinstance(previous, dict):
        module.no_log_values.update(secret_values(previous))
    leases = read_leases(client, prefix)
    result = dict(
        changed=False, key=key, endpoint=str(client.endpoint), leases=leases, incompatible_changes=[],
        previous_config=previous if valid else text, overlaps={},
        hosts_on_other_backend=on_other_backend(module.params['hosts'], leases, desired),
    )
    if desired is not None and module.params['hosts']:
        refuse_overlaps(module, desired, previous if valid else None, result)
    if not valid:
        module.warn('%s holds text that is not valid JSON; flanneld cannot use it. It will be %s.'
                    % (key, 'replaced' if desired is not None else 'deleted'))

    if desired is None:
        changed = text is not None
        new_text = None
    else:
        changed = not valid or text is None or previous != desired
        new_text = to_json(desired)
        incompatible = incompatible_changes(previous, desired) if changed and valid else []
        result['incompatible_changes'] = incompatible
        if incompatible and leases:
            refuse_or_warn(module, key, incompatible, leases, result)

    result.update(changed=changed, config=desired, value=new_text)
    if changed and not module.check_mode:
        if new_text is None:
            client.delete(key)
        else:
            client.put(key, new_text)
    if module._diff:
        result['diff'] = dict(
            before_header='%s (etcd, before)' % key,
            after_header='%s (etcd, after)' % key,
            before=diff_text(previous, text, valid),
            after=to_pretty_json(desired) if desired is not None else '',
        )
    return result


def on_other_backend(hosts, leases, desired):
    if desired is None:
        return []
    wanted = backend_type(desired)
    held = dict((lease['subnet'], lease['backend_type']) for lease in leases)
    return sorted(name for name, state in hosts.items()
                  if isinstance(state, dict) and held.get((state.get('lease') or {}).get('subnet'), wanted) != wanted)


def refuse_overlaps(module, desired, previous, result):
    """Fail when the Network collides with what a host already uses (flannel's own space excepted)."""
    network = desired.get('Network')
    if not network or desired.get('EnableIPv4') is False:
        return
    stored = [previous.get('Network')] if isinstance(previous, dict) and previous.get('Network') else []
    found = {}
    for name, state in sorted(module.params['hosts'].items()):
        if not isinstance(state, dict):
            module.fail_json(msg='hosts.%s: must be what host_info returned for that host (a dict), not %r' % (name, state))
        current = stored + [(state.get('subnet_env') or {}).get('FLANNEL_NETWORK', '')]
        own = ('docker0',) if state.get('docker_on_flannel') else ()
        hits = host_overlaps(network, state.get('addresses') or [], state.get('routes') or [], current, own)
        if hits:
            found[name] = hits
    if found:
        result['overlaps'] = found
        module.fail_json(
            msg=('config.Network %s overlaps what the hosts already use: %s. Choose a Network clear of these '
                 '(and of docker\'s bridge); nothing was written.'
                 % (network, '; '.join('%s: %s' % (name, ', '.join(hits)) for name, hits in found.items()))),
            **result)


def refuse_or_warn(module, key, incompatible, leases, result):
    subnets = ', '.join(lease['subnet'] for lease in leases)
    what = '; '.join(incompatible)
    if not module.params['force']:
        module.fail_json(
            msg=('refusing to change %s at %s: %d host(s) hold leases (%s) and would lose connectivity. '
                 'Stop flanneld on every host and wait for the leases to expire (or delete them), '
                 'or set force=true and restart every flanneld.' % (what, key, len(leases), subnets)),
            **result)
    module.warn('force=true: changed %s although %d lease(s) exist (%s); restart flanneld on every host.'
                % (what, len(leases), subnets))


if __name__ == '__main__':
    main()
