# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

import pytest

from ansible_collections.overlaynet.flannel.plugins.module_utils.flannel_config import (
    backend_type,
    incompatible_changes,
    lease_fits,
    secret_values,
    to_json,
    to_pretty_json,
    validate_config,
)

WG_PSK = base64.b64encode(b'k' * 32).decode('ascii')
IPSEC_PSK = 'p' * 96


def net(**extra):
    config = {'Network': '10.5.0.0/16', 'Backend': {'Type': 'vxlan'}}
    config.update(extra)
    return config


VALID = {
    'minimal': {'Network': '10.5.0.0/16'},
    'vxlan all options': net(SubnetLen=24, SubnetMin='10.5.1.0', SubnetMax='10.5.254.0', Backend={
        'Type': 'vxlan', 'VNI': 16777215, 'Port': 8472, 'MTU': 1450, 'GBP': False,
        'Learning': False, 'DirectRouting': True}),
    'vxlan VNI 0 and Port 0': net(Backend={'Type': 'vxlan', 'VNI': 0, 'Port': 0}),
    'host-gw': net(Backend={'Type': 'host-gw'}),
    'udp port': net(Backend={'Type': 'udp', 'Port': 8285}),
    'ipip': net(Backend={'Type': 'ipip', 'DirectRouting': True}),
    'alloc': net(Backend={'Type': 'alloc'}),
    'extension': net(Backend={'Type': 'extension', 'PreStartupCommand': 'true', 'SubnetAddCommand': 'true'}),
    'wireguard': net(Backend={'Type': 'wireguard', 'ListenPort': 51820, 'ListenPortV6': 51821,
                              'PSK': WG_PSK, 'PersistentKeepaliveInterval': 25, 'Mode': 'auto'}),
    'ipsec': net(Backend={'Type': 'ipsec', 'PSK': IPSEC_PSK, 'UDPEncap': True,
                          'ESPProposal': 'aes128gcm16-sha256-prfsha256-ecp256'}),
    'SubnetLen 0 means default': net(SubnetLen=0),
    'SubnetLen at prefix+2': net(SubnetLen=18),
    'SubnetLen 30': net(SubnetLen=30),
    'small network gets prefix+2 default, aligned min': {'Network': '10.5.0.0/26', 'SubnetMin': '10.5.0.16'},
    '/28 is the smallest network': {'Network': '10.5.0.0/28'},
    'SubnetMin equal SubnetMax': net(SubnetMin='10.5.7.0', SubnetMax='10.5.7.0'),
    'dual stack': net(EnableIPv6=True, IPv6Network='fd00:5::/48', IPv6SubnetLen=64,
                      IPv6SubnetMin='fd00:5:0:1::', IPv6SubnetMax='fd00:5:0:ff::'),
    'IPv6 only': {'EnableIPv4': False, 'EnableIPv6': True, 'IPv6Network': 'fd00:5::/64',
                  'Backend': {'Type': 'vxlan'}},
    'nftables': net(EnableNFTables=True),
}


@pytest.mark.parametrize('config', list(VALID.values()), ids=list(VALID))
def test_valid_configs_have_no_errors(config):
    assert validate_config(config) == []


# (config, expected error texts). Each error must name its field and its rule.
INVALID = {
    'not a dict': ('10.5.0.0/16', ['config: must be a JSON object']),
    'unknown top level key': (net(Networks=['10.6.0.0/16']), ['config.Networks: unknown key']),
    'lower-case key': ({'network': '10.5.0.0/16', 'Network': '10.5.0.0/16'}, ['config.network: unknown key']),
    'Network missing': ({'Backend': {'Type': 'vxlan'}}, ['config.Network: is required when EnableIPv4 is true']),
    'Network not a string': (net(Network=10), ['config.Network: 10 must be a CIDR string']),
    'Network without prefix': (net(Network='10.5.0.0'), ["config.Network: '10.5.0.0' is not in CIDR notation"]),
    'Network garbage': (net(Network='10.500.0.0/16'), ["config.Network: '10.500.0.0/16' is not a valid CIDR"]),
    'Network host bits': (net(Network='10.5.1.0/16'), ["config.Network: '10.5.1.0/16' has host bits set: use 10.5.0.0/16"]),
    'Network IPv6 in Network': (net(Network='fd00::/48'), ["config.Network: 'fd00::/48' must be an IPv4 network"]),
    'Network too small': (net(Network='10.5.0.0/29'), ['config.Network: 10.5.0.0/29 is too small']),
    'SubnetLen too big': (net(SubnetLen=31), ['config.SubnetLen: 31 is out of range: must be between 18 and 30 for Network 10.5.0.0/16']),
    'SubnetLen 33': (net(SubnetLen=33), ['config.SubnetLen: 33 is out of range: must be between 18 and 30']),
    'SubnetLen below prefix+2': (net(SubnetLen=17), ['config.SubnetLen: 17 is out of range: must be between 18 and 30']),
    'SubnetLen equal prefix': (net(SubnetLen=16), ['config.SubnetLen: 16 is out of range']),
    'SubnetLen string': (net(SubnetLen='24'), ["config.SubnetLen: '24' must be an integer, got str"]),
    'SubnetLen bool': (net(SubnetLen=True), ['config.SubnetLen: True must be an integer, got bool']),
    'SubnetLen on tiny network': ({'Network': '10.5.0.0/29', 'SubnetLen': 30},
                                  ['config.SubnetLen: 30 is out of range: Network 10.5.0.0/29 is too small']),
    'SubnetMin outside': (net(SubnetMin='10.6.0.0'), ['config.SubnetMin: 10.6.0.0 is outside Network 10.5.0.0/16']),
    'SubnetMax outside': (net(SubnetMax='10.4.255.0'), ['config.SubnetMax: 10.4.255.0 is outside Network 10.5.0.0/16']),
    'SubnetMin unaligned': (net(SubnetMin='10.5.1.1'), ['config.SubnetMin: 10.5.1.1 is not aligned to SubnetLen 24']),
    'SubnetMax unaligned to explicit len': (net(SubnetLen=20, SubnetMax='10.5.17.0'),
                                            ['config.SubnetMax: 10.5.17.0 is not aligned to SubnetLen 20']),
    'SubnetMin above SubnetMax': (net(SubnetMin='10.5.9.0', SubnetMax='10.5.2.0'),
                                  ['config.SubnetMin: 10.5.9.0 must not be greater than SubnetMax 10.5.2.0']),
    'SubnetMin not an address': (net(SubnetMin='ten'), ["config.SubnetMin: 'ten' is not a valid IPv4 address"]),
    'SubnetMin IPv6': (net(SubnetMin='fd00::'), ["config.SubnetMin: 'fd00::' must be an IPv4 address"]),
    'EnableIPv4 string': (net(EnableIPv4='yes'), ["config.EnableIPv4: 'yes' must be a boolean"]),
    'EnableNFTables int': (net(EnableNFTables=1), ['config.EnableNFTables: 1 must be a boolean']),
    'no family enabled': ({'EnableIPv4': False, 'Network': '10.5.0.0/16'},
                          ['config.EnableIPv4: is false and EnableIPv6 is not true']),
    'IPv6Network missing': (net(EnableIPv6=True), ['config.IPv6Network: is required when EnableIPv6 is true']),
    'IPv6Network is IPv4': (net(EnableIPv6=True, IPv6Network='10.6.0.0/16'),
                            ["config.IPv6Network: '10.6.0.0/16' must be an IPv6 network"]),
    'IPv6Network too small': (net(EnableIPv6=True, IPv6Network='fd00::/125'), ['config.IPv6Network: fd00::/125 is too small']),
    'IPv6SubnetLen too big': (net(EnableIPv6=True, IPv6Network='fd00::/48', IPv6SubnetLen=127),
                              ['config.IPv6SubnetLen: 127 is out of range: must be between 50 and 126']),
    'IPv6SubnetMin unaligned': (net(EnableIPv6=True, IPv6Network='fd00::/48', IPv6SubnetMin='fd00:0:0:1::1'),
                                ['config.IPv6SubnetMin: fd00:0:0:1::1 is not aligned to IPv6SubnetLen 64']),
    'IPv6SubnetMax outside': (net(EnableIPv6=True, IPv6Network='fd00::/48', IPv6SubnetMax='fd01::'),
                              ['config.IPv6SubnetMax: fd01:: is outside IPv6Network fd00::/48']),
    'Backend not a dict': (net(Backend='vxlan'), ['config.Backend: must be an object with at least a Type']),
    'Backend without Type': (net(Backend={'VNI': 1}), ['config.Backend.Type: is required']),
    'Backend unknown Type': (net(Backend={'Type': 'vxlam'}), ["config.Backend.Type: 'vxlam' is not a known backend type"]),
    'vxlan VNI too big': (net(Backend={'Type': 'vxlan', 'VNI': 16777216}),
                          ['config.Backend.VNI: 16777216 is out of range: must be between 0 and 16777215']),
    'vxlan VNI negative': (net(Backend={'Type': 'vxlan', 'VNI': -1}), ['config.Backend.VNI: -1 is out of range']),
    'vxlan VNI string': (net(Backend={'Type': 'vxlan', 'VNI': '1'}), ["config.Backend.VNI: '1' must be an integer"]),
    'vxlan Port too big': (net(Backend={'Type': 'vxlan', 'Port': 65536}),
                           ['config.Backend.Port: 65536 is out of range: must be between 0 and 65535']),
    'vxlan MTU too small': (net(Backend={'Type': 'vxlan', 'MTU': 67}), ['config.Backend.MTU: 67 is out of range']),
    'vxlan GBP string': (net(Backend={'Type': 'vxlan', 'GBP': 'true'}), ["config.Backend.GBP: 'true' must be a boolean"]),
    'vxlan DirectRouting int': (net(Backend={'Type': 'vxlan', 'DirectRouting': 1}), ['config.Backend.DirectRouting: 1 must be a boolean']),
    'vxlan unknown option': (net(Backend={'Type': 'vxlan', 'Vni': 1}), ['config.Backend.Vni: unknown option for backend vxlan']),
    'host-gw takes no options': (net(Backend={'Type': 'host-gw', 'Port': 1}), ['config.Backend.Port: backend host-gw takes no options']),
    'udp Port 0': (net(Backend={'Type': 'udp', 'Port': 0}), ['config.Backend.Port: 0 is out of range: must be between 1 and 65535']),
    'wireguard ListenPort': (net(Backend={'Type': 'wireguard', 'ListenPort': 70000}), ['config.Backend.ListenPort: 70000 is out of range']),
    'wireguard Mode': (net(Backend={'Type': 'wireguard', 'Mode': 'both'}), ["config.Backend.Mode: 'both' is not a valid mode"]),
    'wireguard PSK not base64': (net(Backend={'Type': 'wireguard', 'PSK': 'not-a-key!'}),
                                 ['config.Backend.PSK: must be a base64 encoded 32 byte key']),
    'wireguard PSK wrong size': (net(Backend={'Type': 'wireguard', 'PSK': base64.b64encode(b'k' * 16).decode()}),
                                 ['config.Backend.PSK: must be a base64 encoded 32 byte key']),
    'wireguard keepalive negative': (net(Backend={'Type': 'wireguard', 'PersistentKeepaliveInterval': -5}),
                                     ['config.Backend.PersistentKeepaliveInterval: -5 is out of range']),
    'ipsec PSK missing': (net(Backend={'Type': 'ipsec'}), ['config.Backend.PSK: is required for backend ipsec']),
    'ipsec PSK short': (net(Backend={'Type': 'ipsec', 'PSK': 'short'}), ['config.Backend.PSK: is too short: must be at least 96']),
    'extension command not string': (
        net(Backend={'Type': 'extension', 'SubnetAddCommand': ['ip', 'route']}),
        ['config.Backend.SubnetAddCommand:', 'must be a string, got list']),
}


@pytest.mark.parametrize('config, expected', list(INVALID.values()), ids=list(INVALID))
def test_invalid_configs_name_field_and_rule(config, expected):
    errors = validate_config(config)
    assert errors, 'expected an error for %r' % (config,)
    for text in expected:
        assert any(text in error for error in errors), '%r not in %r' % (text, errors)
    for error in errors:
        assert error.startswith('config'), error


def test_all_errors_are_reported_at_once():
    config = net(SubnetLen=40, Bogus=1, Backend={'Type': 'vxlan', 'VNI': 'x', 'Port': -1})
    errors = validate_config(config)
    assert len(errors) == 4, errors
    assert any(error.startswith('config.Bogus') for error in errors)


def test_secrets_are_not_echoed_in_errors():
    secret = 'hunter2-not-base64!'
    errors = validate_config(net(Backend={'Type': 'wireguard', 'PSK': secret}))
    assert errors and not any(secret in error for error in errors)
    assert secret_values(net(Backend={'Type': 'wireguard', 'PSK': secret})) == [secret]
    assert secret_values(net()) == []


@pytest.mark.parametrize('old, new, expected', [
    (net(), net(SubnetLen=22), []),
    (net(), net(Network='10.6.0.0/16'), ['Network: 10.5.0.0/16 -> 10.6.0.0/16']),
    (net(), net(Backend={'Type': 'host-gw'}), ['Backend.Type: vxlan -> host-gw']),
    ({'Network': '10.5.0.0/16'}, net(), ['Backend.Type: udp -> vxlan']),
    ({'Network': '10.5.0.0/16'}, net(Backend={'Type': 'udp', 'Port': 9000}), ['Backend.Port: 8285 -> 9000']),
    ({'Network': '10.5.0.0/16'}, net(Backend={'Type': 'udp', 'Port': 8285}), []),
    (net(), net(Backend={'Type': 'vxlan', 'VNI': 1}), []),
    (net(), net(Backend={'Type': 'vxlan', 'VNI': 2}), ['Backend.VNI: 1 -> 2']),
    (net(), net(Backend={'Type': 'vxlan', 'GBP': True, 'Port': 4789}), ['Backend.GBP: false -> true', 'Backend.Port: 0 -> 4789']),
    (net(), net(Backend={'Type': 'vxlan', 'MTU': 1400, 'DirectRouting': True}), []),
    (net(Backend={'Type': 'wireguard', 'PSK': 'old-secret'}), net(Backend={'Type': 'wireguard', 'PSK': 'new-secret'}),
     ['Backend.PSK: changed (a secret)']),
    (net(), net(EnableIPv6=True, IPv6Network='fd00::/48'), ['IPv6Network: None -> fd00::/48']),
    (net(), net(Network='10.6.0.0/16', Backend={'Type': 'udp'}),
     ['Network: 10.5.0.0/16 -> 10.6.0.0/16', 'Backend.Type: vxlan -> udp']),
    ('not json', net(), []),
])
def test_incompatible_changes(old, new, expected):
    assert incompatible_changes(old, new) == expected


LEASES = [dict(subnet='10.5.1.0/24', ipv6_subnet=None, public_ip='192.0.2.11'),
          dict(subnet='10.5.200.0/24', ipv6_subnet=None, public_ip='192.0.2.12')]


@pytest.mark.parametrize('new, renumbered', [
    (net(SubnetMax='10.5.250.0'), []),
    (net(SubnetMax='10.5.100.0'), ['10.5.200.0/24 of 192.0.2.12']),
    (net(SubnetMin='10.5.2.0'), ['10.5.1.0/24 of 192.0.2.11']),
    (net(SubnetLen=25), ['10.5.1.0/24 of 192.0.2.11', '10.5.200.0/24 of 192.0.2.12']),
    (net(EnableIPv6=True, IPv6Network='fd00::/48', Network='10.5.0.0/16'), None),
])
def test_a_lease_that_no_longer_fits_is_a_renumbering(new, renumbered):
    changes = incompatible_changes(net(), new, LEASES)
    if renumbered is None:  # the IPv6Network change is named itself
        assert changes == ['IPv6Network: None -> fd00::/48'], changes
        return
    assert changes == ['SubnetLen, SubnetMin, SubnetMax or EnableIPv6 so that the lease %s no longer fits (its host '
                       'would be renumbered)' % lease for lease in renumbered], changes


def test_lease_fits_as_flanneld_decides():
    assert lease_fits(net(), '10.5.1.0/24')
    assert not lease_fits(net(), '10.5.0.0/24')  # the first subnet is never handed out
    assert lease_fits(net(), '10.5.255.0/24') and not lease_fits(net(), '10.5.1.0/25')
    dual = net(EnableIPv6=True, IPv6Network='fd00::/48')
    assert not lease_fits(dual, '10.5.1.0/24') and lease_fits(dual, '10.5.1.0/24', 'fd00:0:0:1::/64')
    assert not lease_fits(net(), '10.5.1.0/24', 'fd00:0:0:1::/64')


def test_backend_type_defaults_to_udp():
    assert backend_type({'Network': '10.5.0.0/16'}) == 'udp'
    assert backend_type(net()) == 'vxlan'


def test_json_is_compact_and_canonical():
    a = {'Network': '10.5.0.0/16', 'Backend': {'VNI': 1, 'Type': 'vxlan'}}
    b = {'Backend': {'Type': 'vxlan', 'VNI': 1}, 'Network': '10.5.0.0/16'}
    assert to_json(a) == to_json(b) == '{"Backend":{"Type":"vxlan","VNI":1},"Network":"10.5.0.0/16"}'
    assert json.loads(to_pretty_json(a)) == a
    assert to_pretty_json(a).endswith('\n') and '\n  "Network"' in to_pretty_json(a)
