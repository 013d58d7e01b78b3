# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What overlaynet.flannel.flannel_network does, apart from AnsibleModule's part: validate the
parameters, read <prefix>/config and the leases, refuse what would cut hosts off, write. The module
wraps it (parameters, secrets kept from the output, the result).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.overlaynet.flannel.plugins.module_utils import etcd, flannel_config, host_state

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
    """Return (raw text or None, parsed JSON or None, whether the stored text is valid JSON, the key's mod
    revision: 0 when it does not exist)."""
    raw, revision = client.get_revision(key)
    if raw is None:
        return None, None, True, revision
    text = raw.decode('utf-8', 'replace')
    try:
        return text, json.loads(text), True, revision
    except ValueError:
        return text, None, False, revision


def diff_text(parsed, text, valid):
    if text is None:
        return ''
    if valid:
        return flannel_config.to_pretty_json(parsed)
    return text if text.endswith('\n') else text + '\n'


# The module's argument spec.
ARGUMENT_SPEC = etcd.etcd_argument_spec(
    prefix=dict(type='str', default=DEFAULT_PREFIX),
    config=dict(type='dict'),
    state=dict(type='str', default='present', choices=['present', 'absent']),
    force=dict(type='bool', default=False),
    hosts=dict(type='dict', default={}),
)
REQUIRED_IF = [('state', 'present', ('config',))]
REQUIRED_TOGETHER = etcd.ETCD_CONNECTION_REQUIRED_TOGETHER


class Refused(Exception):
    """The change is refused; result is what was found so far, returned with the failure."""

    def __init__(self, msg, result):
        super(Refused, self).__init__(msg)
        self.result = result


def params_error(params):
    """Why params cannot be used (before any connection), as a failure dict, or None."""
    error = prefix_error(params['prefix'])
    if error:
        return dict(msg=error)
    if params['state'] == 'present':
        errors = flannel_config.validate_config(params['config'])
        if errors:
            return dict(msg='invalid flannel config: %s' % '; '.join(errors), errors=errors)
    return None


def secrets_of(params):
    """Values the output must never show: the desired config's (the stored one adds its own in apply)."""
    return flannel_config.secret_values(params['config']) if params['state'] == 'present' else []


def apply(client, params, check_mode=False, diff=False):
    """Bring <prefix>/config to params over a connected client: the result dict, with warnings and
    secrets (values the output must hide) in it; Refused for a change that would cut hosts off."""
    prefix = params['prefix']
    desired = params['config'] if params['state'] == 'present' else None
    key = prefix + '/config'
    text, previous, valid, revision = read_config(client, key)
    leases = read_leases(client, prefix)
    result = dict(
        changed=False, key=key, endpoint=str(client.endpoint), leases=leases, incompatible_changes=[],
        previous_config=previous if valid else text, overlaps={},
        hosts_on_other_backend=on_other_backend(params['hosts'], leases, desired),
        warnings=[], secrets=secrets_of(params) + flannel_config.secret_values(previous),
    )
    if desired is not None and params['hosts']:
        refuse_overlaps(params['hosts'], desired, previous if valid else None, result)
    if not valid:
        result['warnings'].append('%s holds text that is not valid JSON; flanneld cannot use it. It will be %s.'
                                  % (key, 'replaced' if desired is not None else 'deleted'))

    if desired is None:
        changed = text is not None
        new_text = None
    else:
        changed = not valid or text is None or previous != desired
        new_text = flannel_config.to_json(desired)
        incompatible = flannel_config.incompatible_changes(previous, desired, leases) if changed and valid else []
        result['incompatible_changes'] = incompatible
        if incompatible and leases:
            refuse_or_warn(params['force'], key, incompatible, leases, result)

    result.update(changed=changed, config=desired, value=new_text)
    # Written only if nobody wrote the key since it was read (another run, an operator): what was
    # compared and checked above is then what is replaced.
    if changed and not check_mode and not client.put_if(key, new_text, revision):
        raise Refused('%s changed while this run was comparing it (another run or an edit wrote it since it was read, '
                      'at revision %d); nothing was written. Run again to compare with what it holds now.'
                      % (key, revision), result)
    if diff:
        result['diff'] = dict(
            before_header='%s (etcd, before)' % key,
            after_header='%s (etcd, after)' % key,
            before=diff_text(previous, text, valid),
            after=flannel_config.to_pretty_json(desired) if desired is not None else '',
        )
    return result


def on_other_backend(hosts, leases, desired):
    if desired is None:
        return []
    wanted = flannel_config.backend_type(desired)
    held = dict((lease['subnet'], lease['backend_type']) for lease in leases)
    return sorted(name for name, state in hosts.items()
                  if isinstance(state, dict) and held.get((state.get('lease') or {}).get('subnet'), wanted) != wanted)


def refuse_overlaps(hosts, desired, previous, result):
    """Refuse a Network that collides with what a host already uses (flannel's own space excepted)."""
    network = desired.get('Network')
    if not network or desired.get('EnableIPv4') is False:
        return
    stored = [previous.get('Network')] if isinstance(previous, dict) and previous.get('Network') else []
    found = {}
    for name, state in sorted(hosts.items()):
        if not isinstance(state, dict):
            raise Refused('hosts.%s: must be what host_info returned for that host (a dict), not %r' % (name, state), result)
        current = stored + [(state.get('subnet_env') or {}).get('FLANNEL_NETWORK', '')]
        own = ('docker0',) if state.get('docker_on_flannel') else ()
        hits = host_state.overlaps(network, state.get('addresses') or [], state.get('routes') or [], current, own)
        if hits:
            found[name] = hits
    if found:
        result['overlaps'] = found
        raise Refused(
            'config.Network %s overlaps what the hosts already use: %s. Choose a Network clear of these '
            '(and of docker\'s bridge); nothing was written.'
            % (network, '; '.join('%s: %s' % (name, ', '.join(hits)) for name, hits in found.items())),
            result)


def refuse_or_warn(force, key, incompatible, leases, result):
    subnets = ', '.join(lease['subnet'] for lease in leases)
    what = '; '.join(incompatible)
    if not force:
        raise Refused(
            'refusing to change %s at %s: %d host(s) hold leases (%s) and would lose connectivity. '
            'Stop flanneld on every host and wait for the leases to expire (or delete them), '
            'or set force=true and restart every flanneld.' % (what, key, len(leases), subnets),
            result)
    result['warnings'].append('force=true: changed %s although %d lease(s) exist (%s); restart flanneld on every host.'
                              % (what, len(leases), subnets))
