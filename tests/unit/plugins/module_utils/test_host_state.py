# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""host_state's parsers on output captured from a real lab host (fixtures/host_state/).

The captures were taken on a systemd test host running etcd, flanneld (vxlan) and docker, with
the commands the host_info module runs; see fixtures/host_state/README.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.overlaynet.flannel.plugins.module_utils import host_state

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'host_state')


def fixture(name):
    with open(os.path.join(FIXTURES, name), 'rb') as handle:
        return handle.read()


def test_subnet_env_of_a_running_flanneld():
    env = host_state.parse_env(fixture('subnet.env'))
    assert sorted(env) == ['FLANNEL_IPMASQ', 'FLANNEL_MTU', 'FLANNEL_NETWORK', 'FLANNEL_SUBNET']
    assert env['FLANNEL_MTU'] == '1450'
    lease = host_state.lease_of(env['FLANNEL_SUBNET'])
    # The lease is the subnet's network; its key is how flanneld names it under <prefix>/subnets/.
    assert lease['subnet'].endswith('.0/24') and lease['key'] == lease['subnet'].replace('/', '-')


def test_env_files_quotes_and_comments():
    env = host_state.parse_env('# comment\nA="x y"\nB=\'z\'\nnot a line\n C=1\n')
    assert env == {'A': 'x y', 'B': 'z', 'C': '1'}


def test_addresses_links_routes_of_a_flannel_host():
    addresses = host_state.parse_addresses(fixture('ip-addr.json'))
    names = host_state.parse_links(fixture('ip-link.json'))
    routes = host_state.parse_routes(fixture('ip-route.json'))
    env = host_state.parse_env(fixture('subnet.env'))
    assert {'lo', 'eth0', 'flannel.1', 'docker0'} <= set(names)
    assert host_state.address_of(addresses, 'docker0') == env['FLANNEL_SUBNET']
    assert any(route['dev'] == 'flannel.1' for route in routes)
    assert [route for route in routes if route['dst'] == 'default']
    # On its own Network a running host has no conflicts; a Network over its uplink has.
    assert host_state.overlaps(env['FLANNEL_NETWORK'], addresses, routes, [env['FLANNEL_NETWORK']]) == []
    uplink = host_state.address_of(addresses, 'eth0')
    found = host_state.overlaps(uplink, addresses, routes)
    assert 'address %s on eth0' % uplink in found


@pytest.mark.parametrize('value, expected', [
    ('10.244.5.1/24', {'subnet': '10.244.5.0/24', 'key': '10.244.5.0-24'}),
    ('10.5.0.1/16', {'subnet': '10.5.0.0/16', 'key': '10.5.0.0-16'}),
    ('', {}),
    ('nonsense', {}),
])
def test_lease_of(value, expected):
    assert host_state.lease_of(value) == expected


def test_units_from_systemctl_show():
    units = ['flanneld', 'docker', 'etcd', 'nosuch']
    states = host_state.parse_systemctl_show(fixture('systemctl-show.txt'), units)
    assert states['flanneld']['active_state'] == 'active' and states['flanneld']['main_pid'] > 0
    assert states['docker']['unit_file_state'] == 'enabled'
    assert states['nosuch'] == {'load_state': 'not-found', 'active_state': 'inactive', 'main_pid': 0,
                                'unit_file_state': ''}
    # No output at all (no systemd) reads as units that are not there.
    assert host_state.parse_systemctl_show('', ['etcd'])['etcd']['load_state'] == 'not-found'


def test_dockerd_command_line():
    argv = host_state.parse_cmdline(fixture('dockerd.cmdline'))
    assert argv[0].endswith('dockerd')
    env = host_state.parse_env(fixture('subnet.env'))
    assert host_state.flag_value(argv, '--mtu') == env['FLANNEL_MTU']
    assert host_state.flag_value(argv, '--bip') == env['FLANNEL_SUBNET']
    assert host_state.flag_value(['dockerd', '--mtu', '1400'], '--mtu') == '1400'
    assert host_state.flag_value(['dockerd'], '--mtu') == ''


def test_daemon_json_conflicts():
    assert host_state.daemon_json_conflicts('') == []
    assert host_state.daemon_json_conflicts('{"bridge": "br0", "debug": true}') == ['bridge']
    with pytest.raises(ValueError, match='not a JSON object'):
        host_state.daemon_json_conflicts('[]')


def test_overlap_rules():
    addresses = [{'ifname': 'eth1', 'family': 'inet', 'address': '10.1.2.3/24'},
                 {'ifname': 'eth1', 'family': 'inet6', 'address': 'fd00::1/64'},
                 {'ifname': 'cni0', 'family': 'inet', 'address': '10.244.1.1/24'}]
    routes = [{'dst': 'default', 'dev': 'eth1', 'gateway': '10.1.2.1'},
              {'dst': '10.244.9.0/24', 'dev': 'flannel.1', 'gateway': ''}]
    assert host_state.overlaps('10.0.0.0/8', addresses, routes) == [
        'address 10.1.2.3/24 on eth1', 'address 10.244.1.1/24 on cni0']
    # cni0 lies inside the Network flannel runs; IPv6 never collides with an IPv4 Network.
    assert host_state.overlaps('10.0.0.0/8', addresses, routes, ['10.244.0.0/16']) == ['address 10.1.2.3/24 on eth1']
    assert host_state.overlaps('10.0.0.0/8', addresses, routes, own_devices=('cni0',)) == ['address 10.1.2.3/24 on eth1']
    assert host_state.overlaps('192.168.0.0/16', addresses, routes) == []
    with pytest.raises(ValueError):
        host_state.overlaps('10.0.0.0/33', addresses, routes)


@pytest.mark.parametrize('name', ['os-release.bookworm', 'os-release.trixie'])
def test_os_family_of_the_test_hosts(name):
    assert host_state.os_family(fixture(name)) == 'Debian'


def test_os_family_by_id_like_and_unknown():
    # A derivative names its parent in ID_LIKE; an unknown system keeps its own name.
    assert host_state.os_family('ID=rocky\nID_LIKE="rhel centos fedora"\n') == 'RedHat'
    assert host_state.os_family('ID=zorin\nID_LIKE="ubuntu debian"\n') == 'Debian'
    assert host_state.os_family('ID=plan9\nNAME="Plan 9"\n') == 'Plan 9'


def test_default_ipv4_of_a_flannel_host():
    addresses = host_state.parse_addresses(fixture('ip-addr.json'))
    routes = host_state.parse_routes(fixture('ip-route.json'))
    found = host_state.default_ipv4(routes, addresses)
    assert found['interface'] == 'eth0'
    assert found['address'] == host_state.address_of(addresses, 'eth0').split('/')[0]
    assert found['gateway'] and found['network'].endswith('.0') and found['prefix'] == '16'
    # flannel's and docker's routes are not the default: without one, nothing is reported.
    assert host_state.default_ipv4([r for r in routes if r['dst'] != 'default'], addresses) == {}
