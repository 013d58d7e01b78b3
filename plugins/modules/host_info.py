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
version_added: 1.0.0
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
    details:
      - The action plugin answers from O(reuse) without contacting the host when it holds what is asked; otherwise
        it runs this module.
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
read_as:
  description:
    - How the host was read - always V(module) (this module ran on the host). Earlier versions' action could also
      answer V(script).
    - Absent when O(reuse) held the answer.
  returned: when the host was read
  type: str
  sample: module
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.overlaynet.flannel.plugins.module_utils import host_reading


def main():
    module = AnsibleModule(argument_spec=host_reading.ARGUMENT_SPEC, supports_check_mode=True)
    try:
        result = host_reading.read_host(module)
    except host_reading.ReadingError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, read_as='module', **result)


if __name__ == '__main__':
    main()
