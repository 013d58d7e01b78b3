#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: host_info
short_description: Read everything the overlay's checks need from one host, in one call
version_added: 0.2.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - Reads, in a single round trip, the state of a flannel host that the roles and playbooks of this collection
    check, and changes nothing - the host's IPv4/IPv6 addresses, routes and links, flanneld's subnet file parsed
    and the lease it names, docker0's address, the state, PID, binary and command line of the flanneld, docker and
    etcd units, the alternatives selected for flanneld and etcd, and Docker's C(daemon.json) keys that clash with
    the docker role's flags.
  - M(overlaynet.flannel.flannel_network) takes its result (O(overlaynet.flannel.flannel_network#module:hosts)) to refuse a
    Network that overlaps what a host already uses.
extends_documentation_fragment:
  - overlaynet.flannel.attributes.read_only
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
    details: The action plugin answers from O(reuse) without contacting the host when it holds what is asked.
  async:
    support: none
  bypass_host_loop:
    support: none
options:
  subnet_file:
    description: flanneld's subnet file.
    type: path
    default: /run/flannel/subnet.env
  docker_dropin:
    description:
      - The docker role's drop-in. Once it exists, docker0 carries flannel's lease.
    type: path
    default: /etc/systemd/system/docker.service.d/flannel.conf
  daemon_json:
    description: Docker's daemon configuration file.
    type: path
    default: /etc/docker/daemon.json
  units:
    description: The systemd units to report on.
    type: list
    elements: str
    default: [flanneld, docker, etcd]
  alternatives:
    description: The update-alternatives names whose selected path to report.
    type: list
    elements: str
    default: [flanneld, etcd]
  alternatives_dir:
    description: update-alternatives' directory of links.
    type: path
    default: /etc/alternatives
  paths:
    description:
      - Files or directories to report on (RV(paths)), so that a role skips a task whose result is already there.
    type: list
    elements: path
    default: []
  env_files:
    description: C(KEY=VALUE) files (C(/etc/default/*)) to read and parse (RV(env_files)).
    type: list
    elements: path
    default: []
  users:
    description: Local accounts to report on (RV(users)).
    type: list
    elements: str
    default: []
  python_modules:
    description: Python modules to look for in the interpreter the modules run with (RV(python_modules)).
    type: list
    elements: str
    default: []
  commands:
    description: Commands to look for on the PATH (RV(commands)).
    type: list
    elements: str
    default: []
  facts:
    description:
      - Also return, as C(ansible_facts), the few facts the roles of this collection use - V(os_family),
        V(architecture), V(hostname), V(fqdn) and V(default_ipv4) - under the names M(ansible.builtin.setup) gives
        them. A play that reads its hosts this way needs no fact gathering (one round trip less per host).
    type: bool
    default: false
  reuse:
    description:
      - The registered result of an earlier M(overlaynet.flannel.host_info) call of this run, taken since nothing
        changed on the host. When it holds everything this call asks for (the same files and more), the action
        answers with it and does not contact the host (RV(host_calls) is V(0)); otherwise the host is read.
      - Handled on the controller; the module ignores it.
    type: dict
    default: {}
seealso:
  - module: overlaynet.flannel.flannel_network
'''

EXAMPLES = r'''
- name: Read the host's state
  overlaynet.flannel.host_info:
  register: host

- name: Show the lease and where docker runs
  ansible.builtin.debug:
    msg: "{{ host.lease.subnet | default('no lease') }}, docker0 {{ host.docker0 or 'missing' }}"
'''

RETURN = r'''
subnet_file:
  description: The path of flanneld's subnet file that was read (O(subnet_file)).
  returned: always
  type: str
  sample: /run/flannel/subnet.env
addresses:
  description: Every address of every link.
  returned: always
  type: list
  elements: dict
  sample: [{"ifname": "eth0", "family": "inet", "address": "172.18.0.2/16", "ip": "172.18.0.2"}]
routes:
  description: The IPv4 routes of the main table (V(default) for the default route).
  returned: always
  type: list
  elements: dict
  sample: [{"dst": "10.244.1.0/24", "dev": "flannel.1", "gateway": "10.244.1.0"}]
links:
  description: The names of the host's links.
  returned: always
  type: list
  elements: str
  sample: ["lo", "eth0", "flannel.1", "docker0"]
flannel_links:
  description: The links flanneld made (C(flannel.<VNI>), C(flannel-wg)); they outlive flanneld.
  returned: always
  type: list
  elements: str
  sample: ["flannel.1"]
subnet_env:
  description: flanneld's subnet file as a dict; empty when the file does not exist (flanneld holds no lease).
  returned: always
  type: dict
  sample: {"FLANNEL_NETWORK": "10.244.0.0/16", "FLANNEL_SUBNET": "10.244.5.1/24", "FLANNEL_MTU": "1450",
           "FLANNEL_IPMASQ": "true"}
lease:
  description: The lease named by C(FLANNEL_SUBNET) - its subnet and its key under C(<prefix>/subnets/) - or empty.
  returned: always
  type: dict
  sample: {"subnet": "10.244.5.0/24", "key": "10.244.5.0-24"}
docker0:
  description: docker0's IPv4 address (V(10.244.5.1/24)), or empty when it has none.
  returned: always
  type: str
  sample: 10.244.5.1/24
docker_on_flannel:
  description: Whether the docker role's drop-in exists.
  returned: always
  type: bool
docker_mtu:
  description: The C(--mtu) the running dockerd was started with, or empty.
  returned: always
  type: str
  sample: "1450"
daemon_json_conflicts:
  description: The keys of O(daemon_json) that the docker role passes as flags (V(bip), V(mtu), V(ip-masq), V(bridge)).
  returned: always
  type: list
  elements: str
units:
  description:
    - Per unit of O(units) - V(load_state), V(active_state), V(main_pid), V(unit_file_state) (V(enabled) ...), the running
      binary V(exe) and its V(argv).
  returned: always
  type: dict
  sample: {"flanneld": {"load_state": "loaded", "active_state": "active", "main_pid": 812, "unit_file_state": "enabled",
                        "exe": "/opt/flannel/v0.28.10/flanneld", "argv": ["/usr/bin/flanneld", "-ip-masq"]}}
alternatives:
  description: Per name of O(alternatives), the path it selects, or empty when it is not set up.
  returned: always
  type: dict
  sample: {"flanneld": "/opt/flannel/v0.28.10/flanneld", "etcd": ""}
paths:
  description:
    - Per path of O(paths), and of O(docker_dropin) - V(exists), and for one that exists V(isdir), V(mode) (octal string), V(owner) and
      V(group) (names, or numbers that have none), symlinks followed; for a regular file of up to 1 MiB
      also V(checksum), the SHA-1 of its content (what M(overlaynet.flannel.config_files) compares).
  returned: always
  type: dict
  sample: {"/etc/flannel/etcd-auth.env": {"exists": false},
           "/var/lib/etcd": {"exists": true, "isdir": true, "mode": "0700", "owner": "etcd", "group": "etcd"}}
env_files:
  description: Per file of O(env_files), its C(KEY=VALUE) lines as a dict; empty when the file does not exist.
  returned: always
  type: dict
  sample: {"/etc/default/etcd": {"ETCD_INITIAL_CLUSTER_STATE": "new"}}
users:
  description:
    - Per account of O(users) - V(exists), and for one that exists its primary V(group), V(home), V(shell) and V(comment).
  returned: always
  type: dict
  sample: {"etcd": {"exists": true, "group": "etcd", "home": "/var/lib", "shell": "/usr/sbin/nologin",
                    "comment": "etcd key-value store"}}
python_modules:
  description: Per module of O(python_modules), whether the module's interpreter can import it.
  returned: always
  type: dict
  sample: {"etcd3": true}
commands:
  description: Per command of O(commands), its full path, or empty when it is not on the PATH.
  returned: always
  type: dict
  sample: {"iptables": "/usr/sbin/iptables"}
read_with:
  description: The files this reading was taken with, which O(reuse) compares with a later call's.
  returned: always
  type: dict
  sample: {"subnet_file": "/run/flannel/subnet.env", "docker_dropin": "/etc/systemd/system/docker.service.d/flannel.conf",
           "daemon_json": "/etc/docker/daemon.json", "alternatives_dir": "/etc/alternatives"}
host_calls:
  description: How many times the host was contacted (V(0) when O(reuse) held the answer).
  returned: always
  type: int
  sample: 0
ansible_facts:
  description: With O(facts), what M(ansible.builtin.setup) would give under these names.
  returned: when O(facts=true)
  type: dict
  contains:
    os_family:
      description: V(Debian), V(RedHat), V(Suse), V(Archlinux) or V(Alpine), from C(/etc/os-release).
      type: str
      sample: Debian
    architecture:
      description: The machine's architecture as the kernel names it.
      type: str
      sample: x86_64
    hostname:
      description: The host name, without its domain.
      type: str
      sample: node1
    fqdn:
      description: The fully qualified host name.
      type: str
      sample: node1.example.org
    default_ipv4:
      description: The default route's V(interface), V(gateway) and that interface's first IPv4 V(address) (with
        V(netmask), V(network), V(prefix)); empty without a default route.
      type: dict
      sample: {"interface": "eth0", "gateway": "172.18.0.1", "address": "172.18.0.2", "netmask": "255.255.0.0",
               "network": "172.18.0.0", "prefix": "16"}
'''

import grp
import hashlib
import os
import platform
import pwd
import socket
import stat

from importlib.util import find_spec

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.overlaynet.flannel.plugins.module_utils import host_state

CHECKSUM_LIMIT = 1024 * 1024


def read(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def run_json(module, argv):
    """A read-only `ip -j` command; a missing tool or link is an empty answer, not a failure."""
    rc, out, _err = module.run_command(argv)
    return out if rc == 0 and out.strip() else '[]'


def unit_states(module, units):
    if not units or not module.get_bin_path('systemctl'):
        return dict((unit, dict(load_state='not-found', active_state='inactive', main_pid=0, unit_file_state='')) for unit in units)
    argv = ['systemctl', 'show', '--property=LoadState,ActiveState,MainPID,UnitFileState'] + list(units)
    _rc, out, _err = module.run_command(argv)
    states = host_state.parse_systemctl_show(out, units)
    for state in states.values():
        pid = state['main_pid']
        state['exe'] = ''
        state['argv'] = []
        if pid > 0:
            try:
                state['exe'] = os.path.realpath('/proc/%d/exe' % pid)
            except OSError:
                pass
            state['argv'] = host_state.parse_cmdline(read('/proc/%d/cmdline' % pid) or b'')
    return states


def _name(lookup, number):
    try:
        return lookup(number)[0]
    except KeyError:
        return str(number)


def path_state(path):
    try:
        info = os.stat(path)
    except OSError:
        return dict(exists=False)
    state = dict(exists=True, isdir=stat.S_ISDIR(info.st_mode), mode='%04o' % stat.S_IMODE(info.st_mode),
                 owner=_name(pwd.getpwuid, info.st_uid), group=_name(grp.getgrgid, info.st_gid))
    # Settings files are small; the checksum lets config_files skip its round trip.
    if stat.S_ISREG(info.st_mode) and info.st_size <= CHECKSUM_LIMIT:
        with open(path, 'rb') as handle:
            state['checksum'] = hashlib.sha1(handle.read()).hexdigest()
    return state


def user_state(name):
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return dict(exists=False)
    return dict(exists=True, group=_name(grp.getgrgid, entry.pw_gid), home=entry.pw_dir, shell=entry.pw_shell,
                comment=entry.pw_gecos)


def importable(name):
    try:
        return find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def main():
    module = AnsibleModule(
        argument_spec=dict(
            subnet_file=dict(type='path', default=host_state.READING_FILES['subnet_file']),
            docker_dropin=dict(type='path', default=host_state.READING_FILES['docker_dropin']),
            daemon_json=dict(type='path', default=host_state.READING_FILES['daemon_json']),
            units=dict(type='list', elements='str', default=host_state.READING_LISTS['units']),
            alternatives=dict(type='list', elements='str', default=host_state.READING_LISTS['alternatives']),
            alternatives_dir=dict(type='path', default=host_state.READING_FILES['alternatives_dir']),
            paths=dict(type='list', elements='path', default=[]),
            commands=dict(type='list', elements='str', default=[]),
            env_files=dict(type='list', elements='path', default=[]),
            users=dict(type='list', elements='str', default=[]),
            python_modules=dict(type='list', elements='str', default=[]),
            facts=dict(type='bool', default=False),
            reuse=dict(type='dict', default={}),
        ),
        supports_check_mode=True,
    )
    params = module.params
    addresses = host_state.parse_addresses(run_json(module, ['ip', '-j', 'addr', 'show']))
    routes = host_state.parse_routes(run_json(module, ['ip', '-j', '-4', 'route', 'show']))
    links = host_state.parse_links(run_json(module, ['ip', '-j', 'link', 'show']))
    subnet_env = host_state.parse_env(read(params['subnet_file']))
    docker_on_flannel = os.path.exists(params['docker_dropin'])
    units = unit_states(module, params['units'])

    try:
        conflicts = host_state.daemon_json_conflicts(read(params['daemon_json']))
    except ValueError as exc:
        module.fail_json(msg='%s %s: dockerd would not start. Fix the file.' % (params['daemon_json'], exc))

    alternatives = {}
    for name in params['alternatives']:
        link = os.path.join(params['alternatives_dir'], name)
        alternatives[name] = os.path.realpath(link) if os.path.lexists(link) else ''

    docker = units.get('docker', {})
    paths = dict((path, path_state(path)) for path in params['paths'] + [params['docker_dropin']])
    facts = {}
    if params['facts']:
        facts = dict(os_family=host_state.os_family(read('/etc/os-release') or read('/usr/lib/os-release')),
                     architecture=platform.machine(), hostname=platform.node().split('.')[0],
                     fqdn=socket.getfqdn(), default_ipv4=host_state.default_ipv4(routes, addresses))
    module.exit_json(
        changed=False,
        subnet_file=params['subnet_file'],
        addresses=addresses,
        routes=routes,
        links=links,
        flannel_links=[name for name in links if host_state.FLANNEL_DEVICE.match(name)],
        subnet_env=subnet_env,
        lease=host_state.lease_of(subnet_env.get('FLANNEL_SUBNET', '')),
        docker0=host_state.address_of(addresses, 'docker0'),
        docker_on_flannel=docker_on_flannel,
        docker_mtu=host_state.flag_value(docker.get('argv', []), '--mtu'),
        daemon_json_conflicts=conflicts,
        units=units,
        alternatives=alternatives,
        paths=paths,
        env_files=dict((path, host_state.parse_env(read(path))) for path in params['env_files']),
        users=dict((name, user_state(name)) for name in params['users']),
        python_modules=dict((name, importable(name)) for name in params['python_modules']),
        commands=dict((name, module.get_bin_path(name) or '') for name in params['commands']),
        read_with=dict((key, params[key]) for key in ('subnet_file', 'docker_dropin', 'daemon_json', 'alternatives_dir')),
        host_calls=1,
        **(dict(ansible_facts=facts) if params['facts'] else {})
    )


if __name__ == '__main__':
    main()
