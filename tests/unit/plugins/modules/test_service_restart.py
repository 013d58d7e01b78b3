# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""service_restart, the per-host step of every rolling change: its failure path puts the host's files back.

Run through Ansible itself (the action calls config_files' results, copy, file, systemd_service and command
as modules). This machine has no systemd as PID 1, so every restart fails here: that is the path tested
end to end on real files; the passing path runs in the molecule scenarios on systemd hosts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.overlaynet.flannel.plugins.action.service_restart import changed_files, journal_summary, lookup, mismatches


def test_expected_values_are_read_at_dotted_paths():
    result = dict(docker0='10.5.1.1/24', units=dict(docker=dict(active_state='failed')))
    assert lookup(result, 'units.docker.active_state') == 'failed'
    assert lookup(result, 'units.etcd.active_state') is None
    assert mismatches(result, {'docker0': '10.5.1.1/24'}) == []
    assert mismatches(result, {'docker0': '10.5.1.1/24', 'units.docker.active_state': 'active'}) == [
        "units.docker.active_state is 'failed', expected 'active'"]
    assert mismatches(dict(failed=True, msg='no etcd'), {'x': 1}) == ['the check failed: no etcd']


def test_kept_values_must_not_move():
    after = dict(subnet_env=dict(FLANNEL_SUBNET='10.5.7.1/24'))
    assert mismatches(after, {}, {'subnet_env.FLANNEL_SUBNET': '10.5.7.1/24'}) == []
    assert mismatches(after, {}, {'subnet_env.FLANNEL_SUBNET': '10.5.3.1/24'}) == [
        "subnet_env.FLANNEL_SUBNET was '10.5.3.1/24' before the restart, is '10.5.7.1/24' now"]
    assert mismatches(dict(), {}, {'subnet_env.FLANNEL_SUBNET': '10.5.3.1/24'}) == [
        "subnet_env.FLANNEL_SUBNET was '10.5.3.1/24' before the restart, is None now"]


def test_the_journal_summary_keeps_the_errors():
    usage = ['  -flag%d' % n for n in range(40)]
    lines = (['invalid value "soon" for flag -subnet-lease-renew-margin: parse error', 'Usage of flanneld:'] + usage
             + ['flanneld.service: Main process exited, code=exited, status=2/INVALIDARGUMENT',
                "flanneld.service: Failed with result 'exit-code'."])
    assert journal_summary(lines) == [lines[0], lines[-1]]
    assert journal_summary(['Started etcd.', 'ready']) == ['Started etcd.', 'ready']


def test_only_changed_files_are_put_back_from_results_or_entries():
    unchanged = dict(dest='/a', changed=False)
    replaced = dict(dest='/b', changed=True, backup_file='/b.bak')
    created = dict(dest='/c', changed=True)
    assert changed_files([dict(files=[unchanged, replaced]), created]) == [replaced, created]
    assert changed_files(dict(files=[replaced])) == [replaced]
    assert changed_files(None) == []


def test_a_failed_restart_puts_the_files_back(modules, tmp_path):
    kept, new = tmp_path / 'kept.conf', tmp_path / 'new.conf'
    kept.write_text('old\n')
    os.chmod(str(kept), 0o640)
    written = modules.run_ansible('config_files', dict(files=[
        dict(dest=str(kept), content='new\n', mode='0640'), dict(dest=str(new), content='fresh\n', mode='0644')]))
    assert kept.read_text() == 'new\n' and new.exists(), written
    backup = [entry['backup_file'] for entry in written['files'] if entry['dest'] == str(kept)][0]

    result = modules.run_ansible('service_restart', dict(
        service='overlaynet-no-such-unit', files=written,
        check=dict(module='ansible.builtin.ping', expect={'ping': 'pong'})))
    assert result['failed'], result
    assert 'overlaynet-no-such-unit on localhost failed after the change (the restart failed' in result['msg'], result
    assert 'Put back: %s, %s' % (kept, new) in result['msg'], result
    assert kept.read_text() == 'old\n' and oct(os.stat(str(kept)).st_mode & 0o777) == '0o640'
    assert not new.exists() and not os.path.exists(backup)
    assert sorted(result['put_back']) == sorted([str(kept), str(new)])


def test_reverted_puts_back_without_a_check(modules, tmp_path):
    kept = tmp_path / 'kept.conf'
    kept.write_text('old\n')
    written = modules.run_ansible('config_files', dict(files=[dict(dest=str(kept), content='new\n', mode='0644')]))
    result = modules.run_ansible('service_restart', dict(service='overlaynet-no-such-unit', state='reverted', files=written))
    assert kept.read_text() == 'old\n', result
    assert result['put_back'] == [str(kept)]


def test_bad_arguments_are_refused(modules):
    assert modules.run_ansible('service_restart', dict(service='docker'))['msg'].startswith('check: give the module')
    assert modules.run_ansible('service_restart', dict(service='docker', state='gone'))['msg'] == \
        "state: restarted or reverted, not 'gone'"
