# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a flannel host looks like, from the text its tools print: the one place that parses it.

Pure functions (no Ansible, no I/O) so that they are tested on real captured output. The
host_info module runs the commands and feeds their output through these.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import re

# flanneld's VXLAN device is flannel.<VNI>; the wireguard backend's is flannel-wg.
FLANNEL_DEVICE = re.compile(r'^flannel[.-]')
# dockerd refuses to start when an option is both on its command line and in daemon.json, and
# bridge excludes bip: the docker role passes these from flannel's lease.
DOCKER_FLAG_KEYS = ('bip', 'mtu', 'ip-masq', 'bridge')


def _text(value):
    return value if isinstance(value, str) else value.decode('utf-8', 'replace')


def parse_env(text):
    """KEY=VALUE lines (subnet.env, /etc/default files) into a dict; other lines are ignored."""
    env = {}
    for line in _text(text or '').splitlines():
        match = re.match(r'^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$', line)
        if match:
            value = match.group(2).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in '"\'':
                value = value[1:-1]
            env[match.group(1)] = value
    return env


def parse_addresses(ip_json):
    """`ip -j addr show` into [{ifname, family, address: 'a.b.c.d/len', ip: 'a.b.c.d'}] (every link, every address)."""
    result = []
    for link in json.loads(_text(ip_json) or '[]'):
        for info in link.get('addr_info') or []:
            if info.get('family') in ('inet', 'inet6') and info.get('local'):
                result.append(dict(ifname=link.get('ifname', ''), family=info['family'], ip=info['local'],
                                   address='%s/%s' % (info['local'], info.get('prefixlen', 32))))
    return result


def parse_links(ip_json):
    """`ip -j link show` (or addr show) into the list of link names."""
    return [link.get('ifname', '') for link in json.loads(_text(ip_json) or '[]')]


def parse_routes(ip_json):
    """`ip -j route show` into [{dst, dev}]; the default route is kept as dst 'default'."""
    return [dict(dst=route.get('dst', ''), dev=route.get('dev', ''), gateway=route.get('gateway', ''))
            for route in json.loads(_text(ip_json) or '[]')]


def address_of(addresses, ifname, family='inet'):
    """The first address of a link as 'a.b.c.d/len', or '' when it has none."""
    for entry in addresses:
        if entry['ifname'] == ifname and entry['family'] == family:
            return entry['address']
    return ''


def lease_of(subnet):
    """flanneld's FLANNEL_SUBNET (the bridge address, 10.244.5.1/24) -> the lease it belongs to.

    Returns {'subnet': '10.244.5.0/24', 'key': '10.244.5.0-24'} (the key is the lease's name
    under <prefix>/subnets/), or {} for an empty or malformed value.
    """
    try:
        network = ipaddress.ip_interface(_text(subnet or '').strip()).network
    except ValueError:
        return {}
    return dict(subnet=str(network), key='%s-%d' % (network.network_address, network.prefixlen))


def _network(text):
    try:
        return ipaddress.ip_network(_text(text), strict=False)
    except ValueError:
        return None


def _inside(network, current):
    """Whether network lies within current (flannel's own space), across families safely."""
    return current is not None and network.version == current.version and network.subnet_of(current)


def overlaps(network, addresses, routes, current_networks=(), own_devices=()):
    """What of the host's addresses and routes a planned overlay Network would collide with.

    network: the Network of flannel's config. current_networks: the Networks flannel already
    runs (from subnet.env and from the config in etcd): addresses and routes inside them are
    flannel's own (its leases, docker0 on a lease, host-gw routes), as are those on own_devices
    (flanneld's devices, docker0 once docker is on the overlay). Returns descriptions, or [].
    """
    planned = _network(network)
    if planned is None:
        raise ValueError('%r is not an IP network' % (network,))
    current = [net for net in (_network(c) for c in current_networks if c) if net is not None]

    def ours(net, dev):
        return (FLANNEL_DEVICE.match(dev or '') or dev in own_devices
                or any(_inside(net, cur) for cur in current))

    found = []
    for entry in addresses:
        net = ipaddress.ip_interface(entry['address']).network
        if net.version == planned.version and not ours(net, entry['ifname']) and net.overlaps(planned):
            found.append('address %s on %s' % (entry['address'], entry['ifname']))
    for route in routes:
        net = _network(route['dst']) if route['dst'] != 'default' else None
        if net is not None and net.version == planned.version and not ours(net, route['dev']) \
                and net.overlaps(planned):
            found.append('route %s dev %s' % (route['dst'], route['dev'] or '?'))
    return found


def parse_systemctl_show(text, units):
    """`systemctl show UNIT... --property=...` (blocks in unit order, blank-line separated)."""
    blocks = re.split(r'\n\s*\n', _text(text).strip()) if _text(text).strip() else []
    result = {}
    for unit, block in zip(units, blocks + [''] * (len(units) - len(blocks))):
        props = parse_env(block)
        result[unit] = dict(
            load_state=props.get('LoadState', 'not-found'),
            active_state=props.get('ActiveState', 'inactive'),
            main_pid=int(props.get('MainPID', '0') or 0),
            unit_file_state=props.get('UnitFileState', ''),
        )
    return result


def parse_cmdline(raw):
    """/proc/<pid>/cmdline (NUL-separated) into argv."""
    return [arg for arg in _text(raw).split('\0') if arg]


def flag_value(argv, flag):
    """The value of --flag=value or --flag value in argv, or ''."""
    for index, arg in enumerate(argv):
        if arg.startswith(flag + '='):
            return arg.split('=', 1)[1]
        if arg == flag and index + 1 < len(argv):
            return argv[index + 1]
    return ''


def daemon_json_conflicts(text):
    """The keys of docker's daemon.json that clash with the flags the docker role sets."""
    if not _text(text or '').strip():
        return []
    try:
        settings = json.loads(_text(text))
    except ValueError as exc:
        raise ValueError('is not valid JSON (%s)' % exc)
    if not isinstance(settings, dict):
        raise ValueError('is not a JSON object')
    return [key for key in DOCKER_FLAG_KEYS if key in settings]


# /etc/os-release IDs by the os_family name Ansible's setup module gives them; the roles look their
# vars/main/distributions.yml entries up by it.
OS_FAMILIES = {
    'Debian': ('debian', 'ubuntu', 'raspbian', 'linuxmint', 'pop', 'kali', 'devuan'),
    'RedHat': ('rhel', 'centos', 'fedora', 'rocky', 'almalinux', 'ol', 'amzn', 'scientific'),
    'Suse': ('sles', 'opensuse', 'opensuse-leap', 'opensuse-tumbleweed', 'sled'),
    'Archlinux': ('arch', 'manjaro'),
    'Alpine': ('alpine',),
}


def os_family(os_release):
    """The os_family of an /etc/os-release text: by its ID, else by the first ID_LIKE that is known."""
    env = parse_env(os_release)
    ids = [env.get('ID', '').lower()] + env.get('ID_LIKE', '').lower().split()
    for name in ids:
        for family, members in OS_FAMILIES.items():
            if name in members:
                return family
    return env.get('NAME', '') or 'unknown'


def default_ipv4(routes, addresses):
    """setup's default_ipv4 from the main table's default route: its interface, gateway and first address."""
    for route in routes:
        if route['dst'] == 'default' and route['dev']:
            mine = [a for a in addresses if a['ifname'] == route['dev'] and a['family'] == 'inet']
            if not mine:
                return {}
            first = ipaddress.ip_interface(mine[0]['address'])
            return dict(interface=route['dev'], gateway=route['gateway'], address=mine[0]['ip'],
                        netmask=str(first.netmask), network=str(first.network.network_address),
                        prefix=str(first.network.prefixlen))
    return {}


# host_info's defaults, in one place: its module's argument spec, and its action plugin, which
# compares a call's files with an earlier reading's (O(reuse)).
READING_FILES = dict(subnet_file='/run/flannel/subnet.env',
                     docker_dropin='/etc/systemd/system/docker.service.d/flannel.conf',
                     daemon_json='/etc/docker/daemon.json',
                     alternatives_dir='/etc/alternatives')
READING_LISTS = dict(units=['flanneld', 'docker', 'etcd'], alternatives=['flanneld', 'etcd'], paths=[], env_files=[],
                     users=[], python_modules=[], commands=[])
