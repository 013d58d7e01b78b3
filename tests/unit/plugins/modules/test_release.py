# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""release on real files: real tar.gz archives with script binaries, real update-alternatives
pointed into a temporary --altdir/--admindir, and the action plugin through `ansible localhost`."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import io
import os
import shutil
import subprocess
import tarfile

import pytest

MODULE = 'release'

pytestmark = pytest.mark.skipif(shutil.which('update-alternatives') is None, reason='needs update-alternatives')


def script(text):
    return ('#!/bin/sh\n%s\n' % text).encode()


def make_archive(directory, name, files, top=None):
    """A .tar.gz of files ({name: bytes}, all executable), under top/ when given; returns (path, sha256)."""
    path = os.path.join(directory, name)
    with tarfile.open(path, 'w:gz') as tar:
        for fname, data in files.items():
            info = tarfile.TarInfo('%s/%s' % (top, fname) if top else fname)
            info.size = len(data)
            info.mode = 0o755
            info.uid = info.gid = 4242
            tar.addfile(info, io.BytesIO(data))
    with open(path, 'rb') as f:
        return path, hashlib.sha256(f.read()).hexdigest()


def flannel_archive(directory, version, reports=None):
    # flanneld prints its version on stderr; the archive has no top directory.
    return make_archive(directory, 'flannel-%s-linux-amd64.tar.gz' % version, {
        'flanneld': script('echo %s >&2' % (reports or version)),
        'mk-docker-opts.sh': script('exit 0'),
        'README.md': b'flannel\n',
    })


def etcd_archive(directory, version):
    top = 'etcd-%s-linux-amd64' % version
    return make_archive(directory, top + '.tar.gz', {
        'etcd': script('printf "etcd Version: %s\\nGit SHA: 0\\nGo Version: go1.16.3\\n"' % version[1:]),
        'etcdctl': script('exit 0'),
        'etcdutl': script('exit 0'),
    }, top=top)


class Layout:
    def __init__(self, root):
        self.root = root
        self.archives = os.path.join(root, 'archives')
        self.install_dir = os.path.join(root, 'opt', 'flannel')
        self.bin = os.path.join(root, 'bin')
        self.altdir = os.path.join(root, 'alternatives')
        self.admindir = os.path.join(root, 'admin')
        for d in (self.archives, self.bin, self.altdir, self.admindir):
            os.makedirs(d)

    def args(self, version, **extra):
        args = dict(name='flanneld', version=version, install_dir=self.install_dir,
                    link=os.path.join(self.bin, 'flanneld'), slaves=['mk-docker-opts.sh'],
                    altdir=self.altdir, admindir=self.admindir, checksum_label='flannel_archive_checksum')
        args.update(extra)
        return args

    def display(self, name='flanneld'):
        return subprocess.run(['update-alternatives', '--altdir', self.altdir, '--admindir', self.admindir,
                               '--display', name], capture_output=True, text=True, check=True).stdout

    def selected(self, name='flanneld'):
        return os.path.realpath(os.path.join(self.bin, name))

    def leftovers(self):
        return sorted(os.listdir(self.install_dir)) if os.path.isdir(self.install_dir) else []


@pytest.fixture
def layout(tmp_path):
    return Layout(str(tmp_path))


def test_fresh_install_then_idempotent(modules, layout):
    src, sha = flannel_archive(layout.archives, 'v0.28.10')
    first = modules.run(MODULE, layout.args('v0.28.10', src=src, remote_src=True, checksum='sha256:' + sha), diff=True)
    assert first['changed'] is True and first['unpacked'] is True and first['switched'] is True, first
    assert first['priority'] == 28010
    assert first['diff'] == {'before': 'selected: None\n',
                             'after': 'selected: %s/v0.28.10/flanneld\nunpacked: %s/v0.28.10\n'
                                      % (layout.install_dir, layout.install_dir)}
    assert layout.leftovers() == ['v0.28.10']
    assert layout.selected() == os.path.join(layout.install_dir, 'v0.28.10', 'flanneld')
    assert layout.selected('mk-docker-opts.sh') == os.path.join(layout.install_dir, 'v0.28.10', 'mk-docker-opts.sh')
    display = layout.display()
    assert 'manual mode' in display and 'priority 28010' in display
    st = os.stat(os.path.join(layout.install_dir, 'v0.28.10', 'flanneld'))
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (0, 0)

    # The archive is not even looked at when the version is installed and selected.
    os.unlink(src)
    again = modules.run(MODULE, layout.args('v0.28.10', src=src, remote_src=True, checksum=sha))
    assert again['changed'] is False and again['switched'] is False, again


def test_rollback_to_an_older_dir_stays_selected(modules, layout):
    for version in ('v0.28.4', 'v0.28.10'):
        src, sha = flannel_archive(layout.archives, version)
        assert modules.run(MODULE, layout.args(version, src=src, remote_src=True, checksum=sha))['changed'] is True

    # Back to the older directory, still there: no archive needed.
    back = modules.run(MODULE, layout.args('v0.28.4', remote_src=True), diff=True)
    assert back['changed'] is True and back['unpacked'] is False and back['switched'] is True, back
    assert back['previous'] == os.path.join(layout.install_dir, 'v0.28.10', 'flanneld')
    assert back['diff']['after'] == 'selected: %s/v0.28.4/flanneld\n' % layout.install_dir
    display = layout.display()
    assert 'manual mode' in display
    assert 'link currently points to %s/v0.28.4/flanneld' % layout.install_dir in display
    assert '%s/v0.28.10/flanneld - priority 28010' % layout.install_dir in display

    assert modules.run(MODULE, layout.args('v0.28.4', remote_src=True))['changed'] is False
    assert layout.selected() == os.path.join(layout.install_dir, 'v0.28.4', 'flanneld')


def test_bad_checksum_refused_with_nothing_left_behind(modules, layout):
    src, sha = flannel_archive(layout.archives, 'v0.28.10')
    wrong = '0' * 64
    result = modules.run(MODULE, layout.args('v0.28.10', src=src, remote_src=True, checksum=wrong))
    assert result.get('failed') is True
    assert result['msg'] == ('flannel_archive_checksum: the sha256 of %s is %s, not %s. Nothing was unpacked.'
                             % (src, sha, wrong))
    assert result['changed'] is False
    assert layout.leftovers() == []
    assert not os.path.lexists(os.path.join(layout.bin, 'flanneld'))


def test_wrong_version_refused_and_removed(modules, layout):
    src, sha = flannel_archive(layout.archives, 'v0.28.10', reports='v0.27.0')
    result = modules.run(MODULE, layout.args('v0.28.10', src=src, remote_src=True, checksum=sha))
    assert result.get('failed') is True
    assert "reported 'v0.27.0'" in result['msg'] and 'v0.28.10' in result['msg'], result['msg']
    assert 'Nothing was installed' in result['msg']
    assert result['msg'].startswith('%s/v0.28.10/flanneld --version' % layout.install_dir), result['msg']
    assert result['changed'] is False
    assert layout.leftovers() == []


def test_a_binary_that_cannot_run_is_refused_by_name(modules, layout):
    # An executable file the kernel cannot start (no #! line, not a binary of this machine).
    src, sha = make_archive(layout.archives, 'flannel-v0.28.10-linux-amd64.tar.gz', {
        'flanneld': b'not a program\n', 'mk-docker-opts.sh': script('exit 0')})
    result = modules.run(MODULE, layout.args('v0.28.10', src=src, remote_src=True, checksum=sha))
    assert result.get('failed') is True and result['changed'] is False, result
    assert result['msg'].startswith('%s/v0.28.10/flanneld --version reported ' % layout.install_dir), result['msg']
    assert 'Exec format error' in result['msg'] and '(exit code 126)' in result['msg'], result['msg']
    assert result['msg'].endswith('Nothing was installed.'), result['msg']
    assert layout.leftovers() == []


def test_check_mode_changes_nothing(modules, layout):
    src, sha = flannel_archive(layout.archives, 'v0.28.10')
    result = modules.run(MODULE, layout.args('v0.28.10', src=src, remote_src=True, checksum=sha), check=True, diff=True)
    assert result['changed'] is True and result['unpacked'] is True, result
    assert 'unpacked: ' in result['diff']['after']
    assert layout.leftovers() == []
    assert not os.listdir(layout.admindir)

    modules.run(MODULE, layout.args('v0.28.10', src=src, remote_src=True, checksum=sha))
    src4, sha4 = flannel_archive(layout.archives, 'v0.28.4')
    before = layout.display()
    predicted = modules.run(MODULE, layout.args('v0.28.4', src=src4, remote_src=True, checksum=sha4), check=True)
    assert predicted['changed'] is True
    assert layout.display() == before and layout.leftovers() == ['v0.28.10']


def test_etcd_download_with_top_dir_and_checksum_list(modules, layout):
    src, sha = etcd_archive(layout.archives, 'v3.5.1')
    with open(os.path.join(layout.archives, 'SHA256SUMS'), 'w') as f:
        f.write('%s  other.tar.gz\n%s  %s\n' % ('1' * 64, sha, os.path.basename(src)))
    args = layout.args('v3.5.1', name='etcd', slaves=['etcdctl', 'etcdutl'], strip_components=1,
                       install_dir=os.path.join(layout.root, 'opt', 'etcd'), link=os.path.join(layout.bin, 'etcd'),
                       url='file://' + src, checksum_url='file://' + os.path.join(layout.archives, 'SHA256SUMS'),
                       checksum_label='etcd_archive_checksum_url')
    result = modules.run(MODULE, args)
    assert result['changed'] is True, result
    assert result['priority'] == 3005001
    assert sorted(os.listdir(os.path.join(layout.root, 'opt', 'etcd', 'v3.5.1'))) == ['etcd', 'etcdctl', 'etcdutl']
    assert layout.selected('etcdutl') == os.path.join(layout.root, 'opt', 'etcd', 'v3.5.1', 'etcdutl')
    assert modules.run(MODULE, args)['changed'] is False

    # A list without the archive's line is refused by name.
    with open(os.path.join(layout.archives, 'SHA256SUMS'), 'w') as f:
        f.write('%s  other.tar.gz\n' % ('1' * 64))
    missing = modules.run(MODULE, dict(args, version='v3.5.2', url='file://' + src.replace('v3.5.1', 'v3.5.2')))
    assert missing.get('failed') is True
    assert 'etcd_archive_checksum_url' in missing['msg'] and 'lists no sha256 for etcd-v3.5.2' in missing['msg']


def test_existing_dir_with_another_release_fails(modules, layout):
    src, sha = flannel_archive(layout.archives, 'v0.28.10')
    modules.run(MODULE, layout.args('v0.28.10', src=src, remote_src=True, checksum=sha))
    with open(os.path.join(layout.install_dir, 'v0.28.10', 'flanneld'), 'wb') as f:
        f.write(script('echo v0.1.0 >&2'))
    result = modules.run(MODULE, layout.args('v0.28.10', remote_src=True))
    assert result.get('failed') is True and "reported 'v0.1.0'" in result['msg'], result


def test_action_copies_the_controller_archive_only_when_needed(modules, layout):
    src, sha = flannel_archive(layout.archives, 'v0.28.10')
    args = layout.args('v0.28.10', src=src, checksum=sha)

    bad = modules.run_ansible(MODULE, dict(args, checksum='f' * 64))
    assert bad.get('failed') is True
    assert bad['msg'] == 'flannel_archive_checksum: the sha256 of %s is %s, not %s. Nothing was unpacked.' % (src, sha, 'f' * 64)
    assert layout.leftovers() == []

    checked = modules.run_ansible(MODULE, args, check=True)
    assert checked['changed'] is True and layout.leftovers() == []

    first = modules.run_ansible(MODULE, args, diff=True)
    assert first['changed'] is True and first['switched'] is True, first
    assert first['diff']['before'] == 'selected: None\n'
    assert layout.selected() == os.path.join(layout.install_dir, 'v0.28.10', 'flanneld')

    # Installed: the controller file is not needed any more (a copy would fail now).
    os.unlink(src)
    again = modules.run_ansible(MODULE, args)
    assert again['changed'] is False, again


def test_action_answers_from_what_host_info_saw(modules, layout):
    src, sha = flannel_archive(layout.archives, 'v0.28.10')
    args = layout.args('v0.28.10', src=src, checksum=sha)
    path = os.path.join(layout.install_dir, 'v0.28.10', 'flanneld')
    # Selected elsewhere: the module runs and installs.
    first = modules.run_ansible(MODULE, dict(args, selected='/opt/flannel/v0.28.4/flanneld'))
    assert first['changed'] is True and first['host_calls'] == 2 and layout.selected() == path, first
    # Selected already: no call reaches the host, so even a broken binary goes unnoticed - by design.
    os.unlink(path)
    again = modules.run_ansible(MODULE, dict(args, selected=path))
    assert again['changed'] is False and again['path'] == path and again['switched'] is False, again
    assert again['host_calls'] == 0
    assert not os.path.exists(path)
    # Without it the module looks, and finds the binary missing.
    looked = modules.run_ansible(MODULE, args)
    assert looked.get('failed') or looked['changed'], looked
