# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""config_files on real files: the module alone, and through `ansible localhost` with its action plugin."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import grp
import os
import pwd
import stat

MODULE = 'config_files'
ME = pwd.getpwuid(os.getuid()).pw_name
GROUP = grp.getgrgid(os.getgid()).gr_name


def spec(dest, content, mode='0644', **more):
    return dict(dict(dest=str(dest), content=content, mode=mode, owner=ME, group=GROUP), **more)


def mode_of(path):
    return '%04o' % stat.S_IMODE(os.stat(str(path)).st_mode)


def test_writes_then_nothing_to_do(modules, tmp_path):
    env, unit = tmp_path / 'flannel', tmp_path / 'flanneld.service'
    files = [spec(env, 'A=1\n'), spec(unit, '[Unit]\n', mode='0600')]
    first = modules.run(MODULE, dict(files=files))
    assert first['changed'] is True and first['changed_files'] == [str(env), str(unit)]
    assert env.read_text() == 'A=1\n' and mode_of(unit) == '0600'
    # Nothing existed before: nothing to keep.
    assert all('backup_file' not in item for item in first['files'])
    again = modules.run(MODULE, dict(files=files))
    assert again['changed'] is False and again['changed_files'] == []


def test_replaced_file_is_kept_and_diffed(modules, tmp_path):
    env = tmp_path / 'flannel'
    env.write_text('A=1\n')
    result = modules.run(MODULE, dict(files=[spec(env, 'A=2\n')]), diff=True)
    assert env.read_text() == 'A=2\n'
    backup = result['files'][0]['backup_file']
    assert open(backup).read() == 'A=1\n'
    assert result['diff'] == [{'before_header': str(env), 'after_header': str(env), 'before': 'A=1\n', 'after': 'A=2\n'}]
    # No temporary file left beside it.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(['flannel', os.path.basename(backup)])


def test_mode_alone_is_a_change(modules, tmp_path):
    env = tmp_path / 'flannel'
    env.write_text('A=1\n')
    os.chmod(str(env), 0o666)
    result = modules.run(MODULE, dict(files=[spec(env, 'A=1\n')]))
    assert result['changed'] is True and mode_of(env) == '0644'
    assert 'backup_file' not in result['files'][0]


def test_check_mode_changes_nothing(modules, tmp_path):
    env, new = tmp_path / 'flannel', tmp_path / 'new'
    env.write_text('A=1\n')
    result = modules.run(MODULE, dict(files=[spec(env, 'A=2\n'), spec(new, 'B=1\n')]), check=True, diff=True)
    assert result['changed'] is True and result['changed_files'] == [str(env), str(new)]
    assert env.read_text() == 'A=1\n' and not new.exists()
    assert [d['after'] for d in result['diff']] == ['A=2\n', 'B=1\n']
    assert sorted(p.name for p in tmp_path.iterdir()) == ['flannel']


def test_secret_stays_out_of_diff_and_output(modules, tmp_path):
    auth = tmp_path / 'etcd-auth.env'
    auth.write_text('FLANNELD_ETCD_PASSWORD="old-secret"\n')
    result = modules.run(MODULE, dict(files=[spec(auth, 'FLANNELD_ETCD_PASSWORD="new-secret"\n', mode='0600',
                                                  secret=True)]), diff=True)
    assert result['changed'] is True and mode_of(auth) == '0600'
    assert 'new-secret' not in result['_stdout'] and 'old-secret' not in result['_stdout']
    assert result['diff'][0]['after'] == '(secret, 36 bytes)\n'


def test_absent_removes_and_keeps_a_copy(modules, tmp_path):
    auth = tmp_path / 'etcd-auth.env'
    auth.write_text('X=1\n')
    result = modules.run(MODULE, dict(files=[dict(dest=str(auth), state='absent', mode='0600')]))
    assert result['changed'] is True and not auth.exists()
    assert open(result['files'][0]['backup_file']).read() == 'X=1\n'
    assert modules.run(MODULE, dict(files=[dict(dest=str(auth), state='absent', mode='0600')]))['changed'] is False


def test_bad_input_is_refused_before_writing(modules, tmp_path):
    good, bad = tmp_path / 'good', tmp_path / 'no-such-dir' / 'x'
    result = modules.run(MODULE, dict(files=[spec(good, 'A=1\n', mode='644x'), spec('relative/path', 'B')]))
    assert result.get('failed') is True
    assert "good: mode must be an octal string" in result['msg'] and 'relative/path: dest must be an absolute path' in result['msg']
    assert not good.exists()
    result = modules.run(MODULE, dict(files=[spec(bad, 'A=1\n')]))
    assert result.get('failed') is True and 'does not exist' in result['msg']


def test_host_lacks_are_refused_before_any_file_is_written(modules, tmp_path):
    first, second = tmp_path / 'first', tmp_path / 'second'
    result = modules.run(MODULE, dict(files=[spec(first, 'A=1\n'), spec(second, 'B=1\n', owner='no-such-user-here'),
                                             spec(tmp_path / 'missing' / 'x', 'C', group='no-such-group-here')]))
    assert result.get('failed') is True
    assert 'second: owner no-such-user-here does not exist on this host' in result['msg']
    assert 'x: directory %s does not exist' % (tmp_path / 'missing') in result['msg']
    assert 'x: group no-such-group-here does not exist on this host' in result['msg']
    # The first file was fine, but nothing is written while another one cannot be.
    assert not first.exists()


def test_check_mode_predicts_a_file_in_a_directory_the_run_creates(modules, tmp_path):
    later = tmp_path / 'pki' / 'ca.pem'
    result = modules.run(MODULE, dict(files=[spec(later, 'CA\n')]), check=True)
    assert result['changed'] is True and result['changed_files'] == [str(later)]
    assert not (tmp_path / 'pki').exists()


def test_check_mode_predicts_a_file_for_an_owner_the_run_creates(modules, tmp_path):
    # site.yml --check on a fresh host: the etcd role's group and user are only predicted before its settings.
    env = tmp_path / 'etcd'
    result = modules.run(MODULE, dict(files=[spec(env, 'A=1\n', owner='no-such-user-here', group='no-such-group-here')]),
                         check=True)
    assert result.get('failed') is not True, result
    assert result['changed'] is True and result['changed_files'] == [str(env)]
    assert not env.exists()


def test_secret_travels_with_the_result(modules, tmp_path):
    key, env = tmp_path / 'client-key.pem', tmp_path / 'flannel'
    key.write_text('old key\n')
    result = modules.run(MODULE, dict(files=[spec(key, 'new key\n', mode='0600', secret=True), spec(env, 'A=1\n')]))
    assert [(f['dest'], f['secret']) for f in result['files']] == [(str(key), True), (str(env), False)]
    assert result['files'][0]['backup_file']


def test_action_refuses_known_and_files_of_the_wrong_kind(modules, tmp_path):
    files = [spec(tmp_path / 'x', 'A=1\n')]
    result = modules.run_ansible(MODULE, dict(files=files, known=['/etc/default/flannel']))
    assert result.get('failed') is True and "known: expected host_info's paths result" in result['msg']
    result = modules.run_ansible(MODULE, dict(files='/etc/default/flannel'))
    assert result.get('failed') is True and 'files: expected a list of files' in result['msg']
    assert not (tmp_path / 'x').exists()


def test_action_skips_the_host_when_host_info_saw_the_same(modules, tmp_path):
    env = tmp_path / 'flannel'
    files = [spec(env, 'A=1\n')]
    first = modules.run_ansible(MODULE, dict(files=files))
    assert first['changed'] is True and first['host_calls'] == 1
    known = modules.run('host_info', dict(paths=[str(env)], units=[], alternatives=[]))['paths']
    assert known[str(env)]['checksum']
    again = modules.run_ansible(MODULE, dict(files=files, known=known))
    assert again['changed'] is False and again['host_calls'] == 0
    # Answered without the host, the entry has the same keys the module gives.
    assert set(again['files'][0]) == set(first['files'][0])
    # The reading is only trusted while it matches: other content, and the host is asked.
    other = modules.run_ansible(MODULE, dict(files=[spec(env, 'A=2\n')], known=known))
    assert other['changed'] is True and other['host_calls'] == 1 and env.read_text() == 'A=2\n'
    # So is a mode that differs from the reading.
    os.chmod(str(env), 0o600)
    known = modules.run('host_info', dict(paths=[str(env)], units=[], alternatives=[]))['paths']
    fixed = modules.run_ansible(MODULE, dict(files=[spec(env, 'A=2\n')], known=known))
    assert fixed['changed'] is True and fixed['host_calls'] == 1 and mode_of(env) == '0644'


def test_action_reads_controller_files_and_refuses_unquoted_modes(modules, tmp_path):
    src, dest = tmp_path / 'ca.pem', tmp_path / 'installed-ca.pem'
    src.write_text('-----BEGIN CERTIFICATE-----\n')
    result = modules.run_ansible(MODULE, dict(files=[dict(dest=str(dest), src=str(src), mode='0644', owner=ME, group=GROUP)]))
    assert result['changed'] is True and dest.read_text() == '-----BEGIN CERTIFICATE-----\n'
    result = modules.run_ansible(MODULE, dict(files=[dict(dest=str(dest), src=str(src), mode=420)]))
    assert result.get('failed') is True and 'mode must be a quoted octal string' in result['msg']
    result = modules.run_ansible(MODULE, dict(files=[dict(dest=str(dest), src=str(tmp_path / 'missing'), mode='0644')]))
    assert result.get('failed') is True and 'src %s' % (tmp_path / 'missing') in result['msg']


def test_directory_mode_creates_a_missing_directory_and_leaves_an_existing_one(modules, tmp_path):
    dest = tmp_path / 'etc' / 'pki' / 'key.pem'
    refused = modules.run(MODULE, dict(files=[spec(dest, 'secret\n', mode='0600')]))
    assert refused.get('failed') is True and 'directory %s does not exist' % dest.parent in refused['msg']
    wanted = spec(dest, 'secret\n', mode='0600', directory_mode='0750')
    predicted = modules.run(MODULE, dict(files=[wanted]), check=True)
    assert predicted['changed'] is True and not (tmp_path / 'etc').exists()
    made = modules.run(MODULE, dict(files=[wanted]))
    assert made['changed'] is True and dest.read_text() == 'secret\n'
    assert mode_of(tmp_path / 'etc') == '0750' and mode_of(dest.parent) == '0750' and os.stat(str(dest.parent)).st_uid == 0
    # The directory is the operator's once it exists: only the file is kept as wanted.
    os.chmod(str(dest.parent), 0o755)
    again = modules.run(MODULE, dict(files=[wanted]))
    assert again['changed'] is False and mode_of(dest.parent) == '0755'
    bad = modules.run(MODULE, dict(files=[dict(wanted, directory_mode='75x')]))
    assert bad.get('failed') is True and 'directory_mode must be an octal string' in bad['msg']
    unquoted = modules.run_ansible(MODULE, dict(files=[dict(wanted, directory_mode=493)]))
    assert unquoted.get('failed') is True and 'directory_mode must be a quoted octal string' in unquoted['msg']
