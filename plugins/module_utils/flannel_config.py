# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Validation of flannel's network configuration (the JSON at <prefix>/config).

Pure data in, list of errors out: nothing here knows about Ansible or etcd,
so every rule can be tested directly and fast.

The rules follow flanneld's own checks (pkg/subnet/config.go and the backend
packages) and add a few that flanneld only discovers at run time or silently
ignores (unknown keys, wrong option types), because by then the cluster is
already broken.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import ipaddress
import json

DEFAULT_BACKEND_TYPE = 'udp'  # what flanneld uses when Backend is absent

_BOOL = 'bool'
_INT = 'int'
_STR = 'str'

# Per backend type: option name -> (kind, bounds or None).
_PORT = (_INT, (1, 65535))
BACKEND_OPTIONS = {
    'vxlan': {
        # The kernel's VXLAN network identifier is 24 bits wide.
        'VNI': (_INT, (0, 16777215)),
        # 0 lets the kernel pick its default port (8472 on Linux).
        'Port': (_INT, (0, 65535)),
        # 68 is the smallest MTU an IPv4 link may have (RFC 791).
        'MTU': (_INT, (68, 65535)),
        'GBP': (_BOOL, None),
        'Learning': (_BOOL, None),
        'DirectRouting': (_BOOL, None),
        'MacPrefix': (_STR, None),
    },
    'host-gw': {},
    'alloc': {},
    'ipip': {
        'DirectRouting': (_BOOL, None),
    },
    'udp': {
        'Port': _PORT,
    },
    'wireguard': {
        'ListenPort': _PORT,
        'ListenPortV6': _PORT,
        'PSK': (_STR, None),
        'PersistentKeepaliveInterval': (_INT, (0, 65535)),
        'Mode': (_STR, None),
    },
    'ipsec': {
        'UDPEncap': (_BOOL, None),
        'ESPProposal': (_STR, None),
        'PSK': (_STR, None),
    },
    'extension': {
        'PreStartupCommand': (_STR, None),
        'PostStartupCommand': (_STR, None),
        'SubnetAddCommand': (_STR, None),
        'SubnetRemoveCommand': (_STR, None),
    },
}
BACKEND_TYPES = tuple(sorted(BACKEND_OPTIONS))

WIREGUARD_MODES = ('separate', 'auto', 'ipv4', 'ipv6')
IPSEC_MIN_PSK_LENGTH = 96  # flanneld refuses shorter keys at start-up
WIREGUARD_PSK_BYTES = 32

TOP_LEVEL_KEYS = (
    'Network', 'SubnetLen', 'SubnetMin', 'SubnetMax',
    'EnableIPv4', 'EnableIPv6',
    'IPv6Network', 'IPv6SubnetLen', 'IPv6SubnetMin', 'IPv6SubnetMax',
    'EnableNFTables', 'Backend',
)

# Keys whose values are secrets: callers hide these from logs and output.
SECRET_BACKEND_KEYS = ('PSK',)

# Per address family: the key names and flanneld's numeric limits.
_FAMILIES = {
    4: dict(
        enable='EnableIPv4', enable_default=True,
        network='Network', subnet_len='SubnetLen',
        subnet_min='SubnetMin', subnet_max='SubnetMax',
        bits=32, max_subnet_len=30, max_network_prefix=28,
        default_subnet_len=24,
    ),
    6: dict(
        enable='EnableIPv6', enable_default=False,
        network='IPv6Network', subnet_len='IPv6SubnetLen',
        subnet_min='IPv6SubnetMin', subnet_max='IPv6SubnetMax',
        bits=128, max_subnet_len=126, max_network_prefix=124,
        default_subnet_len=64,
    ),
}


def _field(name):
    return 'config.%s' % name


def _is_int(value):
    # bool is a subclass of int in Python, but JSON (and flanneld) tell them apart.
    return isinstance(value, int) and not isinstance(value, bool)


def _type_name(value):
    if value is None:
        return 'null'
    return type(value).__name__


def _check_kind(name, value, kind, bounds=None):
    """Return an error string when value is not of kind (and inside bounds), else None."""
    if kind == _BOOL and not isinstance(value, bool):
        return '%s: %r must be a boolean (true/false), got %s' % (name, value, _type_name(value))
    if kind == _STR and not isinstance(value, str):
        return '%s: %r must be a string, got %s' % (name, value, _type_name(value))
    if kind == _INT:
        if not _is_int(value):
            return '%s: %r must be an integer, got %s' % (name, value, _type_name(value))
        if bounds and not bounds[0] <= value <= bounds[1]:
            return '%s: %d is out of range: must be between %d and %d' % (name, value, bounds[0], bounds[1])
    return None


def _parse_network(name, value, version, errors):
    """Parse a CIDR string of the given IP version; append an error and return None on failure."""
    if not isinstance(value, str):
        errors.append('%s: %r must be a CIDR string such as %s, got %s'
                      % (name, value, '10.5.0.0/16' if version == 4 else 'fd00:5::/48', _type_name(value)))
        return None
    if '/' not in value:
        errors.append('%s: %r is not in CIDR notation: the prefix length (/N) is missing' % (name, value))
        return None
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError as exc:
        errors.append('%s: %r is not a valid CIDR: %s' % (name, value, exc))
        return None
    if network.version != version:
        errors.append('%s: %r must be an IPv%d network' % (name, value, version))
        return None
    if ipaddress.ip_interface(value).ip != network.network_address:
        # flanneld would silently mask the host bits; the stored value would then
        # never match what flannel uses, so ask for the network address itself.
        errors.append('%s: %r has host bits set: use %s' % (name, value, network))
        return None
    return network


def _parse_address(name, value, version, errors):
    if not isinstance(value, str):
        errors.append('%s: %r must be an IPv%d address string, got %s' % (name, value, version, _type_name(value)))
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        errors.append('%s: %r is not a valid IPv%d address' % (name, value, version))
        return None
    if address.version != version:
        errors.append('%s: %r must be an IPv%d address' % (name, value, version))
        return None
    return address


def _effective_subnet_len(config, fam, network, errors):
    """Return the SubnetLen flanneld would use, or None after recording why there is none."""
    name = _field(fam['subnet_len'])
    prefix = network.prefixlen
    if fam['subnet_len'] in config:
        subnet_len = config[fam['subnet_len']]
        if not _is_int(subnet_len):
            errors.append('%s: %r must be an integer, got %s' % (name, subnet_len, _type_name(subnet_len)))
            return None
        # flanneld treats 0 as "not set", so it is a legitimate way to ask for the default.
        if subnet_len != 0:
            # Each host needs room for the bridge and the tunnel device, and the
            # network has to hold at least four subnets because the first one is skipped.
            low, high = prefix + 2, fam['max_subnet_len']
            if not low <= subnet_len <= high:
                if low > high:
                    errors.append('%s: %d is out of range: %s %s is too small to hold four subnets'
                                  % (name, subnet_len, fam['network'], network))
                else:
                    errors.append('%s: %d is out of range: must be between %d and %d for %s %s'
                                  % (name, subnet_len, low, high, fam['network'], network))
                return None
            return subnet_len
    if prefix > fam['max_network_prefix']:
        errors.append('%s: %s is too small: the prefix length must be at most /%d (room for four subnets)'
                      % (_field(fam['network']), network, fam['max_network_prefix']))
        return None
    if prefix <= fam['default_subnet_len'] - 2:
        return fam['default_subnet_len']
    return prefix + 2


def _check_range_bound(config, fam, key, network, subnet_len, errors):
    """Parse SubnetMin/SubnetMax; return the address or None (unset or invalid)."""
    if key not in config:
        return None
    name = _field(key)
    address = _parse_address(name, config[key], network.version, errors)
    if address is None:
        return None
    ok = True
    if address not in network:
        errors.append('%s: %s is outside %s %s' % (name, address, fam['network'], network))
        ok = False
    if subnet_len is not None:
        host_bits = fam['bits'] - subnet_len
        if int(address) & ((1 << host_bits) - 1):
            errors.append('%s: %s is not aligned to %s %d (it must be the first address of a /%d subnet)'
                          % (name, address, fam['subnet_len'], subnet_len, subnet_len))
            ok = False
    return address if ok else None


def _check_family(config, version, errors):
    fam = _FAMILIES[version]
    enabled = config.get(fam['enable'], fam['enable_default'])
    present = fam['network'] in config

    network = None
    if present:
        network = _parse_network(_field(fam['network']), config[fam['network']], version, errors)
    elif enabled:
        errors.append('%s: is required when %s is true' % (_field(fam['network']), fam['enable']))

    if network is None:
        # Still type-check the dependent keys so one run reports every mistake.
        for key in (fam['subnet_len'],):
            if key in config and not _is_int(config[key]):
                errors.append('%s: %r must be an integer, got %s' % (_field(key), config[key], _type_name(config[key])))
        for key in (fam['subnet_min'], fam['subnet_max']):
            if key in config:
                _parse_address(_field(key), config[key], version, errors)
        return

    subnet_len = _effective_subnet_len(config, fam, network, errors)
    low = _check_range_bound(config, fam, fam['subnet_min'], network, subnet_len, errors)
    high = _check_range_bound(config, fam, fam['subnet_max'], network, subnet_len, errors)
    if low is not None and high is not None and low > high:
        errors.append('%s: %s must not be greater than %s %s'
                      % (_field(fam['subnet_min']), low, fam['subnet_max'], high))


def _check_backend_options(backend_type, backend, errors):
    known = BACKEND_OPTIONS[backend_type]
    for key in sorted(backend):
        if key == 'Type':
            continue
        name = _field('Backend.%s' % key)
        if key not in known:
            if known:
                allowed = ', '.join(sorted(known))
                errors.append('%s: unknown option for backend %s (known: %s)' % (name, backend_type, allowed))
            else:
                errors.append('%s: backend %s takes no options' % (name, backend_type))
            continue
        kind, bounds = known[key]
        error = _check_kind(name, backend[key], kind, bounds)
        if error:
            errors.append(error)
            continue
        _check_backend_value(backend_type, key, backend[key], name, errors)


def _check_backend_value(backend_type, key, value, name, errors):
    """Rules that go beyond type and range for a single backend option."""
    if backend_type == 'wireguard' and key == 'Mode' and value not in WIREGUARD_MODES:
        errors.append('%s: %r is not a valid mode: must be one of %s' % (name, value, ', '.join(WIREGUARD_MODES)))
    elif backend_type == 'wireguard' and key == 'PSK':
        # Do not echo the key itself: it is a secret.
        try:
            raw = base64.b64decode(value.encode('ascii'), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raw = None
        if raw is None or len(raw) != WIREGUARD_PSK_BYTES:
            errors.append('%s: must be a base64 encoded %d byte key (as printed by "wg genpsk")'
                          % (name, WIREGUARD_PSK_BYTES))
    elif backend_type == 'ipsec' and key == 'PSK' and len(value) < IPSEC_MIN_PSK_LENGTH:
        errors.append('%s: is too short: must be at least %d characters (flanneld refuses shorter keys)'
                      % (name, IPSEC_MIN_PSK_LENGTH))


def _check_backend(config, errors):
    if 'Backend' not in config:
        return
    backend = config['Backend']
    if not isinstance(backend, dict):
        errors.append('%s: must be an object with at least a Type, got %s'
                      % (_field('Backend'), _type_name(backend)))
        return
    if 'Type' not in backend:
        errors.append('%s: is required (one of %s)' % (_field('Backend.Type'), ', '.join(BACKEND_TYPES)))
        return
    backend_type = backend['Type']
    if backend_type not in BACKEND_OPTIONS:
        errors.append('%s: %r is not a known backend type: must be one of %s'
                      % (_field('Backend.Type'), backend_type, ', '.join(BACKEND_TYPES)))
        return
    _check_backend_options(backend_type, backend, errors)
    if backend_type == 'ipsec' and 'PSK' not in backend:
        errors.append('%s: is required for backend ipsec' % _field('Backend.PSK'))


def validate_config(config):
    """Return a list of human readable errors; an empty list means flanneld will accept config.

    Each error starts with the field it is about (config.<Key>) and states the rule.
    """
    if not isinstance(config, dict):
        return ['config: must be a JSON object (mapping), got %s' % _type_name(config)]
    errors = []
    for key in sorted(config, key=str):
        if key not in TOP_LEVEL_KEYS:
            errors.append('%s: unknown key (known keys: %s)' % (_field(key), ', '.join(TOP_LEVEL_KEYS)))
    for key in ('EnableIPv4', 'EnableIPv6', 'EnableNFTables'):
        if key in config:
            error = _check_kind(_field(key), config[key], _BOOL)
            if error:
                errors.append(error)
    ipv4 = config.get('EnableIPv4', True)
    ipv6 = config.get('EnableIPv6', False)
    if ipv4 is False and ipv6 is not True:
        errors.append('config.EnableIPv4: is false and EnableIPv6 is not true: at least one address family must be enabled')
    if isinstance(ipv4, bool):
        _check_family(config, 4, errors)
    if isinstance(ipv6, bool):
        _check_family(config, 6, errors)
    _check_backend(config, errors)
    return errors


def backend_type(config):
    """The backend flanneld runs for config (it falls back to udp when Backend is absent)."""
    backend = config.get('Backend')
    if isinstance(backend, dict):
        return backend.get('Type')
    if backend is None:
        return DEFAULT_BACKEND_TYPE
    return None


def _network_key(value):
    # Compare networks by meaning so "10.5.0.0/16" and "10.5.0.0/16 " style
    # spellings of the same network do not count as a change.
    try:
        return ipaddress.ip_network(value, strict=False)
    except (TypeError, ValueError):
        return value


# Backend options every host must share to exchange packets. The hosts restart one at a time, so during
# the roll some run the old value and some the new, and those cannot talk: vxlan's VNI tags every packet
# (and names the device, flannel.<VNI>), the UDP port and the group-policy extension must match, and so
# must wireguard's and ipsec's keys and modes. Each with the value flanneld uses when it is not set.
LOCKSTEP_BACKEND_OPTIONS = {
    'vxlan': {'VNI': 1, 'Port': 0, 'GBP': False},
    'udp': {'Port': 8285},
    'wireguard': {'PSK': '', 'Mode': 'separate'},
    'ipsec': {'PSK': '', 'UDPEncap': False, 'ESPProposal': 'aes128gcm16-sha256-prfsha256-ecp256'},
}


def subnet_range(config, version):
    """(SubnetLen, SubnetMin, SubnetMax) of one address family as flanneld works them out from config
    (pkg/subnet/config.go: the first subnet skipped, the last one the top of the Network), or None when
    the family is off or its keys are not usable."""
    fam = _FAMILIES[version]
    if not isinstance(config, dict) or not config.get(fam['enable'], fam['enable_default']) or fam['network'] not in config:
        return None
    errors = []
    network = _parse_network(_field(fam['network']), config[fam['network']], version, errors)
    subnet_len = _effective_subnet_len(config, fam, network, errors) if network is not None else None
    if subnet_len is None:
        return None
    size = 1 << (fam['bits'] - subnet_len)
    low = _check_range_bound(config, fam, fam['subnet_min'], network, subnet_len, errors)
    high = _check_range_bound(config, fam, fam['subnet_max'], network, subnet_len, errors)
    if low is None:
        low = network.network_address + size
    if high is None:
        high = ipaddress.ip_address(int(network.broadcast_address) + 1 - size)
    return subnet_len, low, high


def _fits(subnet, bounds):
    network = ipaddress.ip_network(subnet, strict=False)
    subnet_len, low, high = bounds
    return network.prefixlen == subnet_len and low <= network.network_address <= high


def lease_fits(config, subnet, ipv6_subnet=None):
    """Whether flanneld keeps a stored lease under config when it starts (pkg/subnet/etcd/local_manager.go,
    isSubnetConfigCompat): the subnet inside SubnetMin..SubnetMax with the prefix SubnetLen, and an IPv6
    subnet exactly when IPv6 is on, inside its own range. A lease that does not fit is deleted and the host
    leases another subnet: it is renumbered."""
    v4, v6 = subnet_range(config, 4), subnet_range(config, 6)
    try:
        fits4 = v4 is None or _fits(subnet, v4)
        fits6 = not ipv6_subnet if v6 is None else bool(ipv6_subnet) and _fits(ipv6_subnet, v6)
    except ValueError:
        return False
    return fits4 and fits6


def _backend_option(config, key, default):
    backend = config.get('Backend') if isinstance(config.get('Backend'), dict) else {}
    return backend.get(key, default)


def incompatible_changes(old, new, leases=()):
    """List the changes between two configs that running flanneld hosts cannot follow, one at a time.

    A different Network (or IPv6Network) invalidates every lease already handed out; a lease that no
    longer fits the new SubnetLen, SubnetMin, SubnetMax or EnableIPv6 is deleted when its host restarts
    (the host is renumbered); a different Backend.Type or lockstep backend option
    (LOCKSTEP_BACKEND_OPTIONS) makes the hosts already restarted and those not yet disagree on the
    encapsulation. leases are flannel_network's lease dicts (subnet, ipv6_subnet, public_ip).
    Returns strings such as "Network: 10.5.0.0/16 -> 10.6.0.0/16"; a secret's value is never in them.
    """
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []
    changes = []
    for key in ('Network', 'IPv6Network'):
        before, after = old.get(key), new.get(key)
        if _network_key(before) != _network_key(after):
            changes.append('%s: %s -> %s' % (key, before, after))
    if not changes:
        for lease in leases:
            if lease_fits(old, lease['subnet'], lease.get('ipv6_subnet')) and \
                    not lease_fits(new, lease['subnet'], lease.get('ipv6_subnet')):
                changes.append('SubnetLen, SubnetMin, SubnetMax or EnableIPv6 so that the lease %s%s no longer fits '
                               '(its host would be renumbered)' % (lease['subnet'], ' of %s' % lease['public_ip']
                                                                   if lease.get('public_ip') else ''))
    before_type, after_type = backend_type(old), backend_type(new)
    if before_type != after_type:
        changes.append('Backend.Type: %s -> %s' % (before_type, after_type))
        return changes
    for key, default in sorted(LOCKSTEP_BACKEND_OPTIONS.get(after_type, {}).items()):
        before = _backend_option(old, key, default)
        after = _backend_option(new, key, default)
        if before != after:
            changes.append('Backend.%s: %s' % (key, 'changed (a secret)' if key in SECRET_BACKEND_KEYS
                                               else '%s -> %s' % (json.dumps(before), json.dumps(after))))
    return changes


def to_json(config):
    """Compact, canonical JSON: equal configs always give byte-identical text."""
    return json.dumps(config, sort_keys=True, separators=(',', ':'))


def to_pretty_json(config):
    """Stable multi-line JSON for diffs."""
    return json.dumps(config, sort_keys=True, indent=2) + '\n'


def secret_values(config):
    """Values in config that must never be shown (for AnsibleModule.no_log_values)."""
    backend = config.get('Backend') if isinstance(config, dict) else None
    if not isinstance(backend, dict):
        return []
    return [backend[key] for key in SECRET_BACKEND_KEYS if isinstance(backend.get(key), str) and backend[key]]
