# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The reading host_info takes of a host: runs its read-only commands and stats its files.

Runs inside the host_info module only: commands go through the module's run_command.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import grp
import hashlib
import os
import platform
import pwd
import socket
import stat

from importlib.util import find_spec

from ansible_collections.overlaynet.flannel.plugins.module_utils import host_state

CHECKSUM_LIMIT = 1024 * 1024
# Where AnsibleModule.get_bin_path also looks: ip and systemctl live in sbin on some systems.
SBIN = ('/sbin', '/usr/sbin', '/usr/local/sbin')

# host_info's argument spec (reuse is handled by its action on the controller).
ARGUMENT_SPEC = dict(
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
)


class ReadingError(Exception):
    """A file on the host the checks cannot go on with (daemon.json that is not JSON)."""


def which(name):
    dirs = os.environ.get('PATH', '').split(os.pathsep) + list(SBIN)
    for directory in dirs:
        path = os.path.join(directory, name)
        if directory and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return ''


def run(module, argv):
    """(rc, stdout) of a read-only command, in the C locale; a missing tool answers rc 127."""
    binary = which(argv[0])
    if not binary:
        return 127, ''
    # The arguments as given (no ~ or $VAR expansion), undecodable bytes replaced.
    rc, out, _err = module.run_command([binary] + list(argv[1:]), environ_update=dict(LC_ALL='C'),
                                       expand_user_and_vars=False, errors='replace')
    return rc, out


def read(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def run_json(module, argv):
    """A read-only `ip -j` command; a missing tool or link is an empty answer, not a failure."""
    rc, out = run(module, argv)
    return out if rc == 0 and out.strip() else '[]'


def unit_states(module, units):
    if not units or not which('systemctl'):
        return dict((unit, dict(load_state='not-found', active_state='inactive', main_pid=0, unit_file_state='')) for unit in units)
    _rc, out = run(module, ['systemctl', 'show', '--property=LoadState,ActiveState,MainPID,UnitFileState'] + list(units))
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


def read_host(module):
    """host_info's result (without changed) for the module's params; ReadingError for a file it cannot use."""
    params = module.params
    addresses = host_state.parse_addresses(run_json(module, ['ip', '-j', 'addr', 'show']))
    routes = host_state.parse_routes(run_json(module, ['ip', '-j', '-4', 'route', 'show']))
    links = host_state.parse_links(run_json(module, ['ip', '-j', 'link', 'show']))
    subnet_env = host_state.parse_env(read(params['subnet_file']))
    units = unit_states(module, params['units'])
    try:
        conflicts = host_state.daemon_json_conflicts(read(params['daemon_json']))
    except ValueError as exc:
        raise ReadingError('%s %s: dockerd would not start. Fix the file.' % (params['daemon_json'], exc))

    alternatives = {}
    for name in params['alternatives']:
        link = os.path.join(params['alternatives_dir'], name)
        alternatives[name] = os.path.realpath(link) if os.path.lexists(link) else ''

    result = dict(
        subnet_file=params['subnet_file'],
        addresses=addresses,
        routes=routes,
        links=links,
        flannel_links=[name for name in links if host_state.FLANNEL_DEVICE.match(name)],
        subnet_env=subnet_env,
        lease=host_state.lease_of(subnet_env.get('FLANNEL_SUBNET', '')),
        docker0=host_state.address_of(addresses, 'docker0'),
        docker_on_flannel=os.path.exists(params['docker_dropin']),
        docker_mtu=host_state.flag_value(units.get('docker', {}).get('argv', []), '--mtu'),
        daemon_json_conflicts=conflicts,
        units=units,
        alternatives=alternatives,
        paths=dict((path, path_state(path)) for path in params['paths'] + [params['docker_dropin']]),
        env_files=dict((path, host_state.parse_env(read(path))) for path in params['env_files']),
        users=dict((name, user_state(name)) for name in params['users']),
        python_modules=dict((name, importable(name)) for name in params['python_modules']),
        commands=dict((name, which(name)) for name in params['commands']),
        read_with=dict((key, params[key]) for key in host_state.READING_FILES),
        host_calls=1,
    )
    if params['facts']:
        result['ansible_facts'] = dict(
            os_family=host_state.os_family(read('/etc/os-release') or read('/usr/lib/os-release')),
            architecture=platform.machine(), hostname=platform.node().split('.')[0],
            fqdn=socket.getfqdn(), default_ipv4=host_state.default_ipv4(routes, addresses))
    return result
