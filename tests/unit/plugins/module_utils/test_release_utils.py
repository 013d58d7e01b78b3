# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The pure parts of module_utils/release.py, on real files and real update-alternatives output."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import os
import shutil
import subprocess
import tarfile

import pytest

from ansible_collections.overlaynet.flannel.plugins.module_utils.release import (
    Alternatives,
    ReleaseError,
    checksum_from_list,
    normalize_sha256,
    priority,
    reported_version,
    unpack,
)


@pytest.mark.parametrize('version, expected', [('v0.28.10', 28010), ('v3.5.1', 3005001), ('v3.5.35', 3005035),
                                               ('v1.0.0', 1000000)])
def test_one_priority_rule(version, expected):
    assert priority(version) == expected


@pytest.mark.parametrize('version', ['3.5.1', 'v3.5', 'v3.5.1000', 'latest', ''])
def test_bad_versions_are_refused(version):
    with pytest.raises(ReleaseError, match='version: .* must look like vX.Y.Z'):
        priority(version)


def test_newer_versions_get_higher_priorities():
    versions = ['v0.9.999', 'v0.28.4', 'v0.28.10', 'v3.4.30', 'v3.5.1', 'v3.5.35', 'v3.6.0']
    assert [priority(v) for v in versions] == sorted(priority(v) for v in versions)


def test_checksums():
    sha = 'AB' * 32
    assert normalize_sha256('sha256:' + sha, 'x') == sha.lower()
    with pytest.raises(ReleaseError, match="flannel_archive_checksum: 'abc' is not a sha256"):
        normalize_sha256('abc', 'flannel_archive_checksum')
    listing = '%s  etcd-v3.5.0-linux-amd64.tar.gz\n%s *./etcd-v3.5.1-linux-amd64.tar.gz\n' % ('1' * 64, '2' * 64)
    assert checksum_from_list(listing, 'etcd-v3.5.1-linux-amd64.tar.gz', 'l') == '2' * 64
    assert checksum_from_list('%s\n' % ('3' * 64), 'anything.tar.gz', 'l') == '3' * 64
    with pytest.raises(ReleaseError, match='SUMS lists no sha256 for etcd-v9.tar.gz'):
        checksum_from_list(listing, 'etcd-v9.tar.gz', 'SUMS')


def test_reported_versions():
    def runs(out, err='', rc=0):
        return lambda argv: (rc, out, err)
    assert reported_version('x', runs('', 'v0.28.10\n'))[0] == 'v0.28.10'
    assert reported_version('x', runs('etcd Version: 3.5.1\nGit SHA: e8732fb5f\nGo Version: go1.16.3\n'))[0] == 'v3.5.1'
    assert reported_version('x', runs('Go Version: go1.16.3\n'))[0] is None


def run_here(argv):
    """A run callable for the functions under test (the module passes its run_command)."""
    proc = subprocess.run(argv, capture_output=True, text=True, errors='replace', check=False)
    return proc.returncode, proc.stdout, proc.stderr


def _tar(path, members):
    with tarfile.open(path, 'w:gz') as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)


def test_unpack_refuses_paths_outside_the_archive(tmp_path):
    evil = tarfile.TarInfo('../evil')
    evil.size = 1
    path = str(tmp_path / 'evil.tar.gz')
    _tar(path, [(evil, b'x')])
    dest = tmp_path / 'dest'
    dest.mkdir()
    with pytest.raises(ReleaseError, match='outside its own directory'):
        unpack(path, str(dest))
    assert not (tmp_path / 'evil').exists()

    link = tarfile.TarInfo('top/bin')
    link.type = tarfile.SYMTYPE
    link.linkname = '/usr/bin/sh'
    _tar(path, [(link, None)])
    with pytest.raises(ReleaseError, match='link outside'):
        unpack(path, str(dest), 1)


def test_unpack_strips_the_top_directory(tmp_path):
    info = tarfile.TarInfo('etcd-v3.5.1-linux-amd64/etcd')
    info.size = 2
    info.mode = 0o755
    path = str(tmp_path / 'a.tar.gz')
    _tar(path, [(info, b'hi')])
    dest = tmp_path / 'dest'
    dest.mkdir()
    unpack(path, str(dest), 1)
    assert os.listdir(str(dest)) == ['etcd'] and os.access(str(dest / 'etcd'), os.X_OK)


@pytest.mark.skipif(shutil.which('update-alternatives') is None, reason='needs update-alternatives')
def test_alternatives_display_parsed_from_the_real_tool(tmp_path):
    for d in ('alt', 'admin', 'bin', 'v1', 'v2'):
        (tmp_path / d).mkdir()
    for v in ('v1', 'v2'):
        for name in ('tool', 'helper'):
            (tmp_path / v / name).write_text('')
    alt = Alternatives('update-alternatives', run_here, str(tmp_path / 'alt'), str(tmp_path / 'admin'))
    assert alt.display('tool') is None
    for v, prio in (('v1', 5), ('v2', 7)):
        alt.install('tool', str(tmp_path / 'bin' / 'tool'), str(tmp_path / v / 'tool'), prio,
                    [('helper', str(tmp_path / 'bin' / 'helper'), str(tmp_path / v / 'helper'))])
    group = alt.display('tool')
    assert group['mode'] == 'auto' and group['current'] == str(tmp_path / 'v2' / 'tool')
    assert group['link'] == str(tmp_path / 'bin' / 'tool')
    assert group['slave_links'] == {'helper': str(tmp_path / 'bin' / 'helper')}
    assert group['entries'][str(tmp_path / 'v1' / 'tool')] == {'priority': 5, 'slaves': {'helper': str(tmp_path / 'v1' / 'helper')}}
    alt.select('tool', str(tmp_path / 'v1' / 'tool'))
    group = alt.display('tool')
    assert group['mode'] == 'manual' and group['current'] == str(tmp_path / 'v1' / 'tool')
