# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""host_info run for real inside a network namespace laid out like a flannel host (conftest)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import grp
import json
import os
import pwd
import sys

from conftest import SUBNET_ENV

MODULE = 'host_info'


def write(path, text):
    with open(path, 'w') as handle:
        handle.write(text)


def test_reads_lease_links_and_bridge(modules, host_netns, host_files):
    write(host_files['subnet_file'], SUBNET_ENV)
    result = modules.run(MODULE, host_files, wrap=host_netns)
    assert result['changed'] is False
    assert result['subnet_env']['FLANNEL_MTU'] == '1450'
    assert result['lease'] == {'subnet': '10.244.3.0/24', 'key': '10.244.3.0-24'}
    assert result['docker0'] == '10.244.3.1/24'
    assert result['flannel_links'] == ['flannel.1']
    assert {'dst': '10.244.7.0/24', 'dev': 'flannel.1', 'gateway': ''} in result['routes']
    assert {'ifname': 'eth1', 'family': 'inet', 'address': '192.168.77.2/24', 'ip': '192.168.77.2'} in result['addresses']
    assert result['docker_on_flannel'] is False and result['daemon_json_conflicts'] == []


def test_without_flanneld(modules, host_netns, host_files):
    result = modules.run(MODULE, host_files, wrap=host_netns)
    assert result['subnet_env'] == {} and result['lease'] == {}
    # docker0 keeps the old lease's address when flanneld is down.
    assert result['docker0'] == '10.244.3.1/24'
    write(host_files['docker_dropin'], '[Service]\n')
    assert modules.run(MODULE, host_files, wrap=host_netns)['docker_on_flannel'] is True


def test_daemon_json(modules, host_netns, host_files):
    write(host_files['daemon_json'], json.dumps({'bip': '10.1.0.1/24', 'mtu': 1400, 'log-driver': 'journald'}))
    assert modules.run(MODULE, host_files, wrap=host_netns)['daemon_json_conflicts'] == ['bip', 'mtu']
    write(host_files['daemon_json'], '{"bip": ')
    result = modules.run(MODULE, host_files, wrap=host_netns)
    assert result.get('failed') is True and 'is not valid JSON' in result['msg']


def test_alternatives(modules, host_netns, host_files, tmp_path):
    os.makedirs(host_files['alternatives_dir'])
    target = tmp_path / 'opt' / 'v0.28.10'
    target.mkdir(parents=True)
    (target / 'flanneld').write_text('')
    os.symlink(str(target / 'flanneld'), os.path.join(host_files['alternatives_dir'], 'flanneld'))
    result = modules.run(MODULE, host_files, wrap=host_netns)
    assert result['alternatives'] == {'flanneld': str(target / 'flanneld'), 'etcd': ''}


def test_units_of_this_process_tree(modules, host_netns, host_files):
    # Where systemd is not PID 1 (this test machine) units read as not found, never as a failure.
    result = modules.run(MODULE, dict(host_files, units=['flanneld']), wrap=host_netns)
    assert result['units']['flanneld']['main_pid'] == 0
    assert result['units']['flanneld']['load_state'] in ('not-found', 'loaded')


def test_paths_and_commands(modules, host_netns, host_files, tmp_path):
    there = str(tmp_path / 'there')
    write(there, '')
    result = modules.run(MODULE, dict(host_files, paths=[there, str(tmp_path / 'missing')],
                                      commands=['ip', 'no-such-command-here']), wrap=host_netns)
    assert result['paths'][str(tmp_path / 'missing')] == {'exists': False}
    found = result['paths'][there]
    assert found['exists'] is True and found['isdir'] is False
    assert found['mode'] == '%04o' % (os.stat(there).st_mode & 0o7777)
    assert found['owner'] == pwd.getpwuid(os.getuid())[0]
    assert result['commands']['ip'].endswith('/ip') and result['commands']['no-such-command-here'] == ''


def test_paths_report_mode_and_kind(modules, host_netns, host_files, tmp_path):
    folder = tmp_path / 'data'
    folder.mkdir()
    os.chmod(str(folder), 0o700)
    result = modules.run(MODULE, dict(host_files, paths=[str(folder)]), wrap=host_netns)
    assert result['paths'][str(folder)]['isdir'] is True
    assert result['paths'][str(folder)]['mode'] == '0700'
    os.chmod(str(folder), 0o755)
    assert modules.run(MODULE, dict(host_files, paths=[str(folder)]), wrap=host_netns)['paths'][str(folder)]['mode'] == '0755'


def test_env_files_users_and_python_modules(modules, host_netns, host_files, tmp_path):
    env = str(tmp_path / 'etcd')
    write(env, '# managed\nETCD_INITIAL_CLUSTER=a=http://10.0.0.1:2380,b=http://10.0.0.2:2380\nETCD_INITIAL_CLUSTER_STATE="new"\n')
    me = pwd.getpwuid(os.getuid())
    result = modules.run(MODULE, dict(host_files, env_files=[env, str(tmp_path / 'none')],
                                      users=[me.pw_name, 'no-such-user-here'],
                                      python_modules=['json', 'no_such_module_here']), wrap=host_netns)
    assert result['env_files'][env] == {'ETCD_INITIAL_CLUSTER': 'a=http://10.0.0.1:2380,b=http://10.0.0.2:2380',
                                        'ETCD_INITIAL_CLUSTER_STATE': 'new'}
    assert result['env_files'][str(tmp_path / 'none')] == {}
    assert result['users'][me.pw_name] == {'exists': True, 'group': grp.getgrgid(me.pw_gid).gr_name,
                                           'home': me.pw_dir, 'shell': me.pw_shell, 'comment': me.pw_gecos}
    assert result['users']['no-such-user-here'] == {'exists': False}
    assert result['python_modules'] == {'json': True, 'no_such_module_here': False}


def test_facts_are_what_setup_gives(modules, host_files):
    mine = modules.run_ansible(MODULE, dict(host_files, facts=True))['ansible_facts']
    setup = modules.run_ansible('setup', dict(gather_subset=['min', 'network']), collection='ansible.builtin')['ansible_facts']
    for key in ('os_family', 'architecture', 'hostname', 'fqdn'):
        assert mine[key] == setup['ansible_' + key], key
    for key in ('interface', 'address', 'gateway', 'network', 'netmask'):
        assert mine['default_ipv4'][key] == setup['ansible_default_ipv4'][key], key


def test_reuse_answers_without_the_host_only_what_it_holds(modules, host_files, tmp_path):
    env = str(tmp_path / 'settings')
    write(env, 'A=1\n')
    asked = dict(host_files, paths=[env], env_files=[env])
    first = modules.run_ansible(MODULE, asked)
    assert first['host_calls'] == 1 and first['env_files'][env] == {'A': '1'}
    earlier = dict((key, value) for key, value in first.items() if not key.startswith('_'))

    # The host now differs: an answer from the earlier reading shows it was not contacted.
    write(env, 'A=2\n')
    again = modules.run_ansible(MODULE, dict(asked, reuse=earlier))
    assert again['host_calls'] == 0 and again['env_files'][env] == {'A': '1'}
    # The drop-in is always among the paths, so the docker role's call is answered by the flannel role's.
    assert modules.run_ansible(MODULE, dict(host_files, paths=[host_files['docker_dropin']], units=[], reuse=earlier))['host_calls'] == 0

    # Asked for more than it holds, or with another file, the host is read.
    other = str(tmp_path / 'other')
    more = modules.run_ansible(MODULE, dict(asked, paths=[env, other], reuse=earlier))
    assert more['host_calls'] == 1 and more['paths'][other] == {'exists': False} and more['env_files'][env] == {'A': '2'}
    moved = modules.run_ansible(MODULE, dict(asked, subnet_file=str(tmp_path / 'elsewhere.env'), reuse=earlier))
    assert moved['host_calls'] == 1
    assert modules.run_ansible(MODULE, dict(asked, users=['root'], reuse=earlier))['host_calls'] == 1
    assert modules.run_ansible(MODULE, dict(asked, reuse={'failed': True}))['host_calls'] == 1


def test_reuse_of_the_wrong_kind_is_refused(modules, host_files):
    result = modules.run_ansible(MODULE, dict(host_files, reuse='/run/flannel/subnet.env'))
    assert result.get('failed') is True and result['msg'].startswith('reuse: expected an earlier host_info result')


def test_a_pipelined_call_reads_what_a_call_without_pipelining_reads(modules, host_files, tmp_path):
    env = str(tmp_path / 'settings')
    write(env, 'A=1\n')
    write(host_files['subnet_file'], SUBNET_ENV)
    asked = dict(host_files, paths=[env, str(tmp_path)], env_files=[env], users=['root'], python_modules=['json'],
                 commands=['ip', 'no-such-command-here'], units=[], facts=True)
    piped = modules.run_ansible(MODULE, asked, pipelining=True)
    module = modules.run_ansible(MODULE, asked)
    # Both ways the module reads the host (pipelining is on in the collection's ansible.cfg).
    assert piped['read_as'] == 'module' and module['read_as'] == 'module'
    # The same reading either way, facts included (the discovered interpreter is a fact of the run, not the reading).
    for key in ('subnet_env', 'lease', 'addresses', 'routes', 'links', 'paths', 'env_files', 'users', 'python_modules',
                'commands', 'read_with', 'host_calls', 'daemon_json_conflicts'):
        assert piped[key] == module[key], key
    assert piped['commands']['ip'].endswith('/ip') and piped['commands']['no-such-command-here'] == ''
    facts = dict((k, v) for k, v in piped['ansible_facts'].items() if not k.startswith('discovered_'))
    assert facts == dict((k, v) for k, v in module['ansible_facts'].items() if not k.startswith('discovered_'))
    assert facts['os_family'] and facts['default_ipv4'].get('address')

    # The refusals are the same too.
    write(host_files['daemon_json'], '{"bip": ')
    broken = modules.run_ansible(MODULE, asked, pipelining=True)
    assert broken.get('failed') is True and 'is not valid JSON' in broken['msg']


def test_the_hosts_python_is_found_by_ansibles_interpreter_discovery(modules, host_files):
    """The action runs the module the supported way: Ansible discovers the host's Python (its fallback list in
    order) and keeps it as the fact later tasks use."""
    missing = os.path.join(os.path.dirname(sys.executable), 'no-such-python')
    discovery = dict(ansible_python_interpreter='auto_silent', ansible_interpreter_python_fallback=[missing, sys.executable])
    found = modules.run_ansible(MODULE, dict(host_files, facts=True), pipelining=True, interpreter_vars=discovery)
    assert found['read_as'] == 'module' and found['host_calls'] == 1, found
    assert found['ansible_facts']['discovered_interpreter_python'] == sys.executable
    # An explicit interpreter is taken as given, without discovery.
    given = modules.run_ansible(MODULE, dict(host_files), pipelining=True)
    assert given['read_as'] == 'module' and 'discovered_interpreter_python' not in given.get('ansible_facts', {})


def test_a_tasks_environment_reaches_the_reading(modules, host_files, tmp_path):
    """environment: of the task is the module's: a command found only on the task's PATH is found."""
    tools = tmp_path / 'tools'
    tools.mkdir()
    tool = tools / 'overlaynet-only-here'
    write(str(tool), '#!/bin/sh\n')
    os.chmod(str(tool), 0o755)
    asked = dict(host_files, commands=['overlaynet-only-here'])
    assert modules.run_ansible(MODULE, asked, pipelining=True)['commands'] == {'overlaynet-only-here': ''}
    path = '%s:%s' % (tools, os.environ['PATH'])
    found = modules.run_task(MODULE, asked, environment=dict(PATH=path), pipelining=True)
    assert found['commands'] == {'overlaynet-only-here': str(tool)}, found
