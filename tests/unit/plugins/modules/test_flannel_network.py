# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""flannel_network run for real (in its own process) against real etcd servers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os

import pytest

from conftest import SUBNET_ENV, free_port, stored

MODULE = 'flannel_network'
VXLAN = {'Network': '10.5.0.0/16', 'SubnetLen': 24, 'Backend': {'Type': 'vxlan', 'VNI': 1}}
LEASE_TTL = 86400  # what flanneld asks for


def add_lease(server, prefix, subnet='10.5.1.0-24', public_ip='192.0.2.11'):
    """Write a subnet lease the way flanneld does: a key under subnets/ bound to an etcd lease."""
    client = server.client()
    lease = client.lease(LEASE_TTL)
    attrs = {'PublicIP': public_ip, 'BackendType': 'vxlan',
             'BackendData': {'VNI': 1, 'VtepMAC': '3a:1f:00:aa:bb:cc'}}
    client.put('%s/subnets/%s' % (prefix, subnet), json.dumps(attrs), lease=lease)
    return lease


def warnings_text(result):
    # ansible-core 2.19 returns warnings as structured records; their text is all we check.
    return json.dumps(result.get('warnings', []))


def args(server, prefix, **extra):
    params = {'endpoints': [server.url], 'prefix': prefix, 'config': VXLAN}
    params.update(extra)
    return params


def test_writes_compact_json_then_is_idempotent(modules, etcd_server, prefix):
    first = modules.run(MODULE, args(etcd_server, prefix))
    assert first['changed'] is True, first
    assert first['previous_config'] is None
    assert stored(etcd_server, prefix + '/config') == '{"Backend":{"Type":"vxlan","VNI":1},"Network":"10.5.0.0/16","SubnetLen":24}'
    assert first['value'] == stored(etcd_server, prefix + '/config')
    assert first['key'] == prefix + '/config'

    second = modules.run(MODULE, args(etcd_server, prefix))
    assert second['changed'] is False, second
    assert second['previous_config'] == VXLAN


def test_compares_by_meaning_not_by_text(modules, etcd_server, prefix):
    etcd_server.client().put(prefix + '/config', json.dumps(VXLAN, indent=4))
    result = modules.run(MODULE, args(etcd_server, prefix))
    assert result['changed'] is False, result
    # Left as it was: rewriting equal content would only churn the revision flanneld watches.
    assert stored(etcd_server, prefix + '/config') == json.dumps(VXLAN, indent=4)


def test_check_mode_writes_nothing(modules, etcd_server, prefix):
    result = modules.run(MODULE, args(etcd_server, prefix), check=True)
    assert result['changed'] is True
    assert stored(etcd_server, prefix + '/config') is None

    modules.run(MODULE, args(etcd_server, prefix))
    other = dict(VXLAN, SubnetLen=26)
    result = modules.run(MODULE, args(etcd_server, prefix, config=other), check=True)
    assert result['changed'] is True
    assert json.loads(stored(etcd_server, prefix + '/config')) == VXLAN


def test_diff_shows_pretty_json_before_and_after(modules, etcd_server, prefix):
    result = modules.run(MODULE, args(etcd_server, prefix), diff=True)
    diff = result['diff']
    assert diff['before'] == ''
    assert diff['after'] == json.dumps(VXLAN, indent=2, sort_keys=True) + '\n'
    assert diff['before_header'].startswith(prefix + '/config')

    other = dict(VXLAN, SubnetLen=22)
    diff = modules.run(MODULE, args(etcd_server, prefix, config=other), diff=True, check=True)['diff']
    assert '"SubnetLen": 24' in diff['before'] and '"SubnetLen": 22' in diff['after']


@pytest.mark.parametrize('config, message', [
    ({'Network': '10.5.0.0/16', 'SubnetLen': 33}, 'config.SubnetLen: 33 is out of range: must be between 18 and 30 for Network 10.5.0.0/16'),
    ({'Network': '10.5.0.0/33'}, "config.Network: '10.5.0.0/33' is not a valid CIDR"),
    ({'Network': '10.5.0.0/16', 'SubnetMin': '10.6.0.0'}, 'config.SubnetMin: 10.6.0.0 is outside Network 10.5.0.0/16'),
    ({'Network': '10.5.0.0/16', 'Backend': {'Type': 'vxlan', 'VNI': 1 << 24}}, 'config.Backend.VNI: 16777216 is out of range'),
    ({'Network': '10.5.0.0/16', 'Backend': {'Type': 'flannel-magic'}}, "config.Backend.Type: 'flannel-magic' is not a known backend type"),
    ({'Network': '10.5.0.0/16', 'Subnetlen': 24}, 'config.Subnetlen: unknown key'),
])
def test_invalid_config_fails_before_any_write(modules, etcd_server, prefix, config, message):
    result = modules.run(MODULE, args(etcd_server, prefix, config=config))
    assert result.get('failed') is True, result
    assert message in result['msg']
    assert any(message in error for error in result['errors'])
    assert stored(etcd_server, prefix + '/config') is None


def test_invalid_config_fails_even_without_reachable_etcd(modules):
    # Validation comes first, so the message is about the config, not the connection.
    result = modules.run(MODULE, {'endpoints': ['127.0.0.1:%d' % free_port()], 'config': {'Network': 'x'}})
    assert result['failed'] is True
    assert result['msg'].startswith('invalid flannel config: config.Network')


@pytest.mark.parametrize('bad_prefix, message', [
    ('coreos.com/network', 'must be absolute'),
    ('/coreos.com/network/', 'must not end with /'),
    ('/', 'is not usable'),
    ('/coreos.com//network', 'must not contain empty path segments'),
])
def test_prefix_is_validated(modules, etcd_server, bad_prefix, message):
    result = modules.run(MODULE, args(etcd_server, bad_prefix))
    assert result['failed'] is True
    assert result['msg'].startswith('prefix: ') and message in result['msg']


def test_config_is_required_for_present(modules, etcd_server, prefix):
    result = modules.run(MODULE, {'endpoints': [etcd_server.url], 'prefix': prefix})
    assert result['failed'] is True and 'config' in result['msg']


def test_failover_when_first_endpoint_is_dead(modules, etcd_server, prefix):
    dead = 'http://127.0.0.1:%d' % free_port()
    result = modules.run(MODULE, args(etcd_server, prefix, endpoints=[dead, etcd_server.url], timeout=2))
    assert result['changed'] is True, result
    assert result['endpoint'] == etcd_server.url
    assert stored(etcd_server, prefix + '/config') is not None


def test_all_endpoints_dead_lists_each(modules, prefix):
    dead = ['http://127.0.0.1:%d' % free_port(), '127.0.0.1:%d' % free_port()]
    result = modules.run(MODULE, {'endpoints': dead, 'prefix': prefix, 'config': VXLAN, 'timeout': 2})
    assert result['failed'] is True
    for endpoint in dead:
        assert '%s: connection refused' % endpoint in result['msg']
    assert [e['endpoint'] for e in result['endpoint_errors']] == dead


def test_tls(modules, etcd_tls_server, pki, prefix):
    tls = dict(ca_cert=pki['ca_cert'], client_cert=pki['client_cert'], client_key=pki['client_key'])
    result = modules.run(MODULE, args(etcd_tls_server, prefix, **tls))
    assert result['changed'] is True, result
    assert stored(etcd_tls_server, prefix + '/config') is not None


def test_tls_wrong_ca_message(modules, etcd_tls_server, pki, prefix):
    tls = dict(ca_cert=pki['wrong_ca_cert'], client_cert=pki['client_cert'], client_key=pki['client_key'], timeout=3)
    result = modules.run(MODULE, args(etcd_tls_server, prefix, **tls))
    assert result['failed'] is True
    assert result['msg'].startswith('TLS handshake with etcd failed')
    assert 'could not be verified against ca_cert' in result['msg']


def test_wrong_password_message_and_password_never_printed(modules, etcd_auth_server, prefix):
    secret = 'Wrong-Secret-4711'
    result = modules.run(MODULE, args(etcd_auth_server, prefix, user='root', password=secret))
    assert result['failed'] is True
    assert 'authentication failed: wrong user or password' in result['msg']
    assert secret not in result['_stdout'] + result['_stderr']


def test_auth_right_password(modules, etcd_auth_server, prefix):
    result = modules.run(MODULE, args(etcd_auth_server, prefix, user='root', password=etcd_auth_server.password))
    assert result['changed'] is True, result
    assert etcd_auth_server.password not in result['_stdout']


def test_refuses_network_change_while_leases_exist_unless_forced(modules, etcd_server, prefix):
    modules.run(MODULE, args(etcd_server, prefix))
    lease = add_lease(etcd_server, prefix)
    moved = dict(VXLAN, Network='10.6.0.0/16')

    refused = modules.run(MODULE, args(etcd_server, prefix, config=moved))
    assert refused['failed'] is True, refused
    assert 'refusing to change Network: 10.5.0.0/16 -> 10.6.0.0/16' in refused['msg']
    assert '10.5.1.0/24' in refused['msg']
    assert json.loads(stored(etcd_server, prefix + '/config')) == VXLAN
    [found] = refused['leases']
    assert found['subnet'] == '10.5.1.0/24' and found['public_ip'] == '192.0.2.11'
    assert found['backend_type'] == 'vxlan'
    assert LEASE_TTL - 60 <= found['ttl'] <= LEASE_TTL

    # A change existing leases can follow is fine.
    wider = modules.run(MODULE, args(etcd_server, prefix, config=dict(VXLAN, SubnetMax='10.5.200.0')))
    assert wider['changed'] is True, wider

    # Check mode predicts the refusal too.
    assert modules.run(MODULE, args(etcd_server, prefix, config=moved), check=True)['failed'] is True

    forced = modules.run(MODULE, args(etcd_server, prefix, config=moved, force=True))
    assert forced['changed'] is True, forced
    assert forced['incompatible_changes'] == ['Network: 10.5.0.0/16 -> 10.6.0.0/16']
    assert 'force=true' in warnings_text(forced)
    assert json.loads(stored(etcd_server, prefix + '/config')) == moved
    lease.revoke()


def test_refuses_backend_type_change_while_leases_exist(modules, etcd_server, prefix):
    modules.run(MODULE, args(etcd_server, prefix))
    lease = add_lease(etcd_server, prefix, subnet='10.5.7.0-24')
    result = modules.run(MODULE, args(etcd_server, prefix, config=dict(VXLAN, Backend={'Type': 'host-gw'})))
    assert result['failed'] is True
    assert 'Backend.Type: vxlan -> host-gw' in result['msg']
    lease.revoke()


def test_refuses_what_the_hosts_cannot_follow_one_at_a_time_while_leases_exist(modules, etcd_server, prefix):
    modules.run(MODULE, args(etcd_server, prefix))
    lease = add_lease(etcd_server, prefix, subnet='10.5.7.0-24')
    renumbering = modules.run(MODULE, args(etcd_server, prefix, config=dict(VXLAN, SubnetLen=25)))
    assert renumbering['failed'] is True, renumbering
    assert 'refusing to change SubnetLen, SubnetMin, SubnetMax or EnableIPv6 so that the lease 10.5.7.0/24 of 192.0.2.11 no longer fits' in renumbering['msg']
    other_vni = modules.run(MODULE, args(etcd_server, prefix, config=dict(VXLAN, Backend={'Type': 'vxlan', 'VNI': 2})))
    assert other_vni['failed'] is True and 'Backend.VNI: 1 -> 2' in other_vni['msg'], other_vni
    assert json.loads(stored(etcd_server, prefix + '/config')) == VXLAN
    # The MTU is no such change: each host takes it when it restarts (docker after it).
    assert modules.run(MODULE, args(etcd_server, prefix, config=dict(VXLAN, Backend={'Type': 'vxlan', 'VNI': 1, 'MTU': 1400})))['changed']
    lease.revoke()


def test_lease_without_etcd_lease_has_null_ttl(modules, etcd_server, prefix):
    etcd_server.client().put(prefix + '/subnets/10.5.3.0-24&fd00:5:0:3::-64',
                             json.dumps({'PublicIP': '192.0.2.13', 'BackendType': 'host-gw'}))
    etcd_server.client().put(prefix + '/subnets/not-a-lease', 'x')
    result = modules.run(MODULE, args(etcd_server, prefix), check=True)
    assert result['leases'] == [{'subnet': '10.5.3.0/24', 'ipv6_subnet': 'fd00:5:0:3::/64',
                                 'public_ip': '192.0.2.13', 'backend_type': 'host-gw', 'ttl': None}]


def test_invalid_json_in_etcd_is_replaced_and_reported(modules, etcd_server, prefix):
    etcd_server.client().put(prefix + '/config', '{"Network": "10.5.0.0/16",')
    result = modules.run(MODULE, args(etcd_server, prefix), diff=True)
    assert result['changed'] is True
    assert result['previous_config'] == '{"Network": "10.5.0.0/16",'
    assert 'not valid JSON' in warnings_text(result)
    assert result['diff']['before'] == '{"Network": "10.5.0.0/16",\n'
    assert json.loads(stored(etcd_server, prefix + '/config')) == VXLAN


def test_state_absent(modules, etcd_server, prefix):
    modules.run(MODULE, args(etcd_server, prefix))
    absent = {'endpoints': [etcd_server.url], 'prefix': prefix, 'state': 'absent'}
    checked = modules.run(MODULE, absent, check=True)
    assert checked['changed'] is True and stored(etcd_server, prefix + '/config') is not None

    removed = modules.run(MODULE, absent, diff=True)
    assert removed['changed'] is True
    assert removed['previous_config'] == VXLAN and removed['config'] is None
    assert removed['diff']['after'] == ''
    assert stored(etcd_server, prefix + '/config') is None
    assert modules.run(MODULE, absent)['changed'] is False


def test_backend_psk_is_hidden(modules, etcd_server, prefix):
    psk = base64.b64encode(os.urandom(32)).decode()
    config = dict(VXLAN, Backend={'Type': 'wireguard', 'PSK': psk})
    result = modules.run(MODULE, args(etcd_server, prefix, config=config), diff=True)
    assert result['changed'] is True, result
    assert psk not in result['_stdout']
    assert json.loads(stored(etcd_server, prefix + '/config'))['Backend']['PSK'] == psk


def test_missing_library_gives_the_standard_message(modules, etcd_server, prefix, tmp_path):
    fake = tmp_path / 'etcd3'
    fake.mkdir()
    (fake / '__init__.py').write_text('raise ImportError("No module named etcd3 (simulated)")\n')
    saved = modules.env['PYTHONPATH']
    modules.env['PYTHONPATH'] = '%s:%s' % (tmp_path, saved)
    try:
        result = modules.run(MODULE, args(etcd_server, prefix))
    finally:
        modules.env['PYTHONPATH'] = saved
    assert result['failed'] is True
    assert 'Failed to import the required Python library (etcd3)' in result['msg']


def test_through_ansible_cli_with_check_and_diff(modules, etcd_server, prefix):
    """The path real users take: ansible resolves overlaynet.flannel.flannel_network from the collection path."""
    checked = modules.run_ansible(MODULE, args(etcd_server, prefix), check=True, diff=True)
    assert checked['changed'] is True, checked
    assert stored(etcd_server, prefix + '/config') is None
    assert '"Network": "10.5.0.0/16"' in checked['diff']['after']

    applied = modules.run_ansible(MODULE, args(etcd_server, prefix))
    assert applied['changed'] is True
    again = modules.run_ansible(MODULE, args(etcd_server, prefix))
    assert again['changed'] is False, again


def host_state(modules, netns, files, subnet_env=None, dropin=False):
    """What host_info reads from the namespace laid out like a flannel host (conftest.host_netns)."""
    if subnet_env:
        with open(files['subnet_file'], 'w') as handle:
            handle.write(subnet_env)
    if dropin:
        with open(files['docker_dropin'], 'w') as handle:
            handle.write('[Service]\n')
    return modules.run('host_info', files, wrap=netns)


def test_overlapping_network_is_refused_before_writing(modules, etcd_server, prefix, host_netns, host_files):
    node = host_state(modules, host_netns, host_files, SUBNET_ENV)
    result = modules.run(MODULE, args(etcd_server, prefix, config={'Network': '192.168.0.0/16'}, hosts={'node1': node}))
    assert result.get('failed') is True
    assert result['msg'].startswith('config.Network 192.168.0.0/16 overlaps what the hosts already use: node1: '
                                    'address 192.168.77.2/24 on eth1, route 192.168.77.0/24 dev eth1.')
    assert result['overlaps'] == {'node1': ['address 192.168.77.2/24 on eth1', 'route 192.168.77.0/24 dev eth1']}
    assert stored(etcd_server, prefix + '/config') is None
    result = modules.run(MODULE, args(etcd_server, prefix, config={'Network': '10.96.0.0/12'}, hosts={'node1': node}))
    assert result['overlaps'] == {'node1': ['route 10.99.0.0/16 dev eth1']}


def test_flannels_own_addresses_are_no_conflict(modules, etcd_server, prefix, host_netns, host_files):
    node = host_state(modules, host_netns, host_files, SUBNET_ENV)
    config = {'Network': '10.244.0.0/16'}
    result = modules.run(MODULE, args(etcd_server, prefix, config=config, hosts={'node1': node}))
    assert result['changed'] is True and result['overlaps'] == {}


def test_stale_bridge_of_a_stopped_flanneld(modules, etcd_server, prefix, host_netns, host_files):
    # flanneld down: no subnet file, docker0 still on the old lease, nothing in etcd yet.
    config = {'Network': '10.244.0.0/16'}
    fresh = host_state(modules, host_netns, host_files)
    result = modules.run(MODULE, args(etcd_server, prefix, config=config, hosts={'node1': fresh}))
    assert result['overlaps'] == {'node1': ['address 10.244.3.1/24 on docker0', 'route 10.244.3.0/24 dev docker0']}
    # Once docker runs on the overlay (the docker role's drop-in) docker0 is flannel's.
    on_overlay = host_state(modules, host_netns, host_files, dropin=True)
    assert modules.run(MODULE, args(etcd_server, prefix, config=config, hosts={'node1': on_overlay}))['changed'] is True


def test_network_stored_in_etcd_counts_as_flannels(modules, etcd_server, prefix, host_netns, host_files):
    fresh = host_state(modules, host_netns, host_files)
    etcd_server.client().put(prefix + '/config', json.dumps({'Network': '10.244.0.0/16'}))
    config = {'Network': '10.244.0.0/16', 'SubnetLen': 24}
    assert modules.run(MODULE, args(etcd_server, prefix, config=config, hosts={'node1': fresh}))['changed'] is True
    # A wider Network still collides with what lies outside the stored one.
    result = modules.run(MODULE, args(etcd_server, prefix, config={'Network': '10.0.0.0/8'}, hosts={'node1': fresh},
                                      force=True))
    assert result['overlaps'] == {'node1': ['route 10.99.0.0/16 dev eth1']}


def test_hosts_on_another_backend_than_the_config(modules, etcd_server, prefix, host_netns, host_files):
    # node1's lease (10.244.3.0/24, from its subnet file) was taken with vxlan; node2 has no lease yet.
    node1 = host_state(modules, host_netns, host_files, SUBNET_ENV)
    node2 = dict(node1, lease={})  # host_info's reading of a host whose flanneld has no lease
    config = {'Network': '10.244.0.0/16', 'Backend': {'Type': 'vxlan'}}
    etcd_server.client().put(prefix + '/config', json.dumps(config))
    lease = add_lease(etcd_server, prefix, subnet='10.244.3.0-24')
    hosts = {'node1': node1, 'node2': node2}
    same = modules.run(MODULE, args(etcd_server, prefix, config=config, hosts=hosts), check=True)
    assert same['changed'] is False and same['hosts_on_other_backend'] == []
    hostgw = modules.run(MODULE, args(etcd_server, prefix, config=dict(config, Backend={'Type': 'host-gw'}), hosts=hosts,
                                      force=True))
    assert hostgw['changed'] is True and hostgw['hosts_on_other_backend'] == ['node1']
    # The next run finds the config written but node1 still on vxlan: it is named again.
    again = modules.run(MODULE, args(etcd_server, prefix, config=dict(config, Backend={'Type': 'host-gw'}), hosts=hosts))
    assert again['changed'] is False and again['hosts_on_other_backend'] == ['node1']
    # Without Backend, flanneld's default (udp) is what the lease is compared with.
    udp = modules.run(MODULE, args(etcd_server, prefix, config={'Network': '10.244.0.0/16'}, hosts=hosts), check=True)
    assert udp['hosts_on_other_backend'] == ['node1']
    lease.revoke()


def test_hosts_must_be_host_info_results(modules, etcd_server, prefix):
    result = modules.run(MODULE, args(etcd_server, prefix, hosts={'node1': 'eth0'}))
    assert result.get('failed') is True
    assert result['msg'].startswith("hosts.node1: must be what host_info returned")
    assert stored(etcd_server, prefix + '/config') is None


def test_a_pipelined_call_answers_what_a_call_without_pipelining_does(modules, etcd_server, etcd_auth_server, prefix):
    """Over a pipelined connection (on in the collection's ansible.cfg) the module runs the same way: same answers,
    same refusals, secrets hidden."""
    psk = base64.b64encode(os.urandom(32)).decode()
    wireguard = dict(VXLAN, Backend={'Type': 'wireguard', 'PSK': psk})
    checked = modules.run_ansible(MODULE, args(etcd_server, prefix, config=wireguard), check=True, diff=True, pipelining=True)
    by_module = modules.run_ansible(MODULE, args(etcd_server, prefix, config=wireguard), check=True, diff=True)
    assert checked['ran_as'] == 'module' and by_module['ran_as'] == 'module'
    for key in ('changed', 'key', 'leases', 'previous_config', 'config', 'value', 'diff', 'incompatible_changes',
                'hosts_on_other_backend', 'overlaps'):
        assert checked[key] == by_module[key], key
    assert checked['changed'] is True and stored(etcd_server, prefix + '/config') is None
    assert psk not in checked['_stdout'] and '********' in checked['diff']['after']

    written = modules.run_ansible(MODULE, args(etcd_server, prefix), pipelining=True)
    assert written['changed'] is True and json.loads(stored(etcd_server, prefix + '/config')) == VXLAN
    again = modules.run_ansible(MODULE, args(etcd_server, prefix), pipelining=True)
    assert again['changed'] is False and again['previous_config'] == VXLAN

    lease = add_lease(etcd_server, prefix)
    moved = args(etcd_server, prefix, config=dict(VXLAN, Network='10.6.0.0/16'))
    refused = modules.run_ansible(MODULE, moved, pipelining=True)
    assert refused['failed'] is True and refused['msg'] == modules.run_ansible(MODULE, moved)['msg']
    assert refused['leases'][0]['subnet'] == '10.5.1.0/24'
    forced = modules.run_ansible(MODULE, dict(moved, force=True), pipelining=True)
    assert forced['changed'] is True and 'force=true' in forced['_stdout']
    lease.revoke()

    # Bad options and a bad config are refused before etcd is asked.
    assert 'prefix' in modules.run_ansible(MODULE, args(etcd_server, 'relative'), pipelining=True)['msg']
    assert 'invalid flannel config' in modules.run_ansible(
        MODULE, args(etcd_server, prefix, config={'Network': 'nope'}), pipelining=True)['msg']
    secret = 'Wrong-Secret-0815'
    denied = modules.run_ansible(MODULE, args(etcd_auth_server, prefix, user='root', password=secret), pipelining=True)
    assert denied['failed'] is True and 'authentication failed' in denied['msg']
    assert secret not in denied['_stdout'] + denied['_stderr']
