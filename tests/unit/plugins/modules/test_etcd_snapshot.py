# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""etcd_snapshot run for real against the session's etcd servers (plain, TLS, authentication), the file it
writes restored with the real etcdutl, and its check shown to catch a snapshot that was cut short or damaged."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import subprocess

import pytest

from conftest import EtcdServer, etcd_bin_dir, stored

from ansible_collections.overlaynet.flannel.plugins.module_utils import etcd_snapshot
from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd_snapshot import SnapshotError

MODULE = 'etcd_snapshot'


def etcdutl():
    return os.path.join(etcd_bin_dir(), 'etcdutl')


def leftovers(directory):
    """The temporary files a run left in directory."""
    return [name for name in os.listdir(directory) if name.endswith('.part')]


def restored_value(snapshot, workdir, key):
    """key as an etcd started on the data `etcdutl snapshot restore` made of snapshot reads it."""
    os.makedirs(workdir)
    server = EtcdServer(workdir)
    subprocess.run([etcdutl(), 'snapshot', 'restore', snapshot, '--data-dir', os.path.join(workdir, 'data'),
                    '--name', 'unit', '--initial-cluster', 'unit=http://127.0.0.1:%d' % server.peer_port,
                    '--initial-advertise-peer-urls', 'http://127.0.0.1:%d' % server.peer_port],
                   check=True, capture_output=True)
    server.start()
    try:
        return stored(server, key)
    finally:
        server.stop()


def test_a_snapshot_verifies_and_restores(modules, etcd_server, prefix, tmp_path):
    etcd_server.client().put(prefix + '/config', 'before the snapshot')
    written = etcd_server.client().get(prefix + '/config')[1].mod_revision
    dest = str(tmp_path / 'keyspace.db')

    saved = modules.run(MODULE, {'endpoints': [etcd_server.url], 'dest': dest, 'etcdutl': etcdutl()})
    assert saved['changed'] is True and saved['verified'] is True, saved
    assert saved['dest'] == dest and saved['endpoint'] == etcd_server.url
    assert saved['size'] == os.path.getsize(dest) and saved['size'] == saved['total_size'] + 32
    assert saved['revision'] >= written and saved['total_keys'] >= 1
    mode = os.stat(dest)
    assert stat.S_IMODE(mode.st_mode) == 0o600 and mode.st_uid == os.geteuid(), oct(mode.st_mode)
    assert leftovers(str(tmp_path)) == []
    # No digest of the snapshot anywhere in the result (etcdutl prints one: it is left out).
    assert not [key for key in saved if 'hash' in key or 'checksum' in key or 'md5' in key], sorted(saved)
    assert etcd_snapshot.check(dest) == saved['size']

    assert restored_value(dest, str(tmp_path / 'restored'), prefix + '/config') == 'before the snapshot'

    # Without etcdutl the sha256 trailer is still checked; what only etcdutl reads is null. dest is replaced.
    again = modules.run(MODULE, {'endpoints': [etcd_server.url], 'dest': dest})
    assert again['changed'] is True and again['verified'] is True, again
    assert again['revision'] is None and again['total_keys'] is None and again['size'] == os.path.getsize(dest)
    assert leftovers(str(tmp_path)) == []


def test_check_mode_writes_nothing(modules, etcd_server, tmp_path):
    dest = str(tmp_path / 'keyspace.db')
    checked = modules.run(MODULE, {'endpoints': [etcd_server.url], 'dest': dest, 'etcdutl': etcdutl()}, check=True)
    assert checked['changed'] is True and checked['verified'] is False and checked['size'] is None, checked
    assert checked['endpoint'] == etcd_server.url
    assert os.listdir(str(tmp_path)) == []
    # Check mode still asks etcd: an endpoint that does not answer fails it.
    down = modules.run(MODULE, {'endpoints': ['http://127.0.0.1:1'], 'dest': dest, 'timeout': 1}, check=True)
    assert down['failed'] is True and 'could not use any of the 1 etcd endpoint(s)' in down['msg'], down
    assert os.listdir(str(tmp_path)) == []


def test_over_tls_with_client_certificates(modules, etcd_tls_server, pki, prefix, tmp_path):
    # A key of the test's own: etcd 3.6 and later count no keys of their own in an empty keyspace.
    etcd_tls_server.client().put(prefix + '/config', 'before the snapshot')
    dest = str(tmp_path / 'keyspace.db')
    saved = modules.run(MODULE, {'endpoints': [etcd_tls_server.url], 'ca_cert': pki['ca_cert'],
                                 'client_cert': pki['client_cert'], 'client_key': pki['client_key'],
                                 'dest': dest, 'etcdutl': etcdutl()})
    assert saved['changed'] is True and saved['verified'] is True and saved['total_keys'] >= 1, saved.get('msg')
    wrong = modules.run(MODULE, {'endpoints': [etcd_tls_server.url], 'ca_cert': pki['wrong_ca_cert'],
                                 'client_cert': pki['client_cert'], 'client_key': pki['client_key'],
                                 'dest': str(tmp_path / 'other.db')})
    assert wrong['failed'] is True and 'TLS handshake with etcd failed' in wrong['msg'], wrong
    assert sorted(os.listdir(str(tmp_path))) == ['keyspace.db']


def test_the_password_never_leaves_the_module(modules, etcd_auth_server, prefix, tmp_path):
    etcd_auth_server.etcdctl('--user', 'root:' + etcd_auth_server.password, 'put', prefix + '/config', 'before the snapshot')
    # etcdutl through a wrapper that writes down its command line and environment.
    record = tmp_path / 'etcdutl-saw.txt'
    wrapper = tmp_path / 'etcdutl'
    wrapper.write_text('#!/bin/sh\n{ env; echo "$@"; } >> %s\nexec %s "$@"\n' % (record, etcdutl()))
    wrapper.chmod(0o755)
    backups = tmp_path / 'backups'
    backups.mkdir()
    args = {'endpoints': [etcd_auth_server.url], 'user': 'root', 'password': etcd_auth_server.password,
            'dest': str(backups / 'keyspace.db'), 'etcdutl': str(wrapper)}

    saved = modules.run_ansible(MODULE, args)
    assert saved['changed'] is True and saved['verified'] is True and saved['total_keys'] >= 1, saved.get('msg')
    direct = modules.run(MODULE, dict(args, _ansible_inject_invocation=True))
    assert direct['invocation']['module_args']['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER', direct
    assert record.read_text().count('snapshot status --write-out json') == 2
    for text in (saved['_stdout'], saved['_stderr'], direct['_stdout'], direct['_stderr'], record.read_text()):
        assert etcd_auth_server.password not in text

    # A failure after the login hides it too: etcdutl refuses the file here.
    wrapper.write_text('#!/bin/sh\necho "snapshot status: unexpected EOF" >&2\nexit 1\n')
    failed = modules.run_ansible(MODULE, dict(args, dest=str(backups / 'refused.db')), pipelining=True)
    assert failed['failed'] is True and 'cannot read the new snapshot (rc=1): snapshot status: unexpected EOF' in failed['msg']
    assert failed['msg'].endswith('%s was not changed.' % (backups / 'refused.db')), failed['msg']
    assert etcd_auth_server.password not in failed['_stdout'] + failed['_stderr']
    assert sorted(os.listdir(str(backups))) == ['keyspace.db']

    wrong = modules.run(MODULE, dict(args, password='not-the-password'))
    assert wrong['failed'] is True and 'authentication failed' in wrong['msg'] and 'not-the-password' not in wrong['_stdout']


def test_bad_input_is_refused_before_etcd_is_asked(modules, tmp_path):
    # Nothing listens on the endpoint: each refusal comes before a connection is tried.
    base = {'endpoints': ['http://127.0.0.1:1']}
    missing = modules.run(MODULE, dict(base, dest=str(tmp_path / 'nowhere' / 'keyspace.db')))
    assert missing['failed'] is True and missing['msg'] == 'dest: the directory %s does not exist' % (tmp_path / 'nowhere')
    directory = modules.run(MODULE, dict(base, dest=str(tmp_path)))
    assert directory['msg'] == 'dest: %s is a directory: name the snapshot file' % tmp_path
    (tmp_path / 'etcdutl').write_text('not a program')
    for path in (str(tmp_path / 'etcdutl'), str(tmp_path / 'absent')):
        refused = modules.run(MODULE, dict(base, dest=str(tmp_path / 'keyspace.db'), etcdutl=path))
        assert refused['failed'] is True and refused['msg'] == 'etcdutl: %s is not an executable file' % path
        assert refused['changed'] is False
    assert sorted(os.listdir(str(tmp_path))) == ['etcdutl']


@pytest.fixture
def snapshot(modules, etcd_server, tmp_path):
    """A real snapshot file of the plain server, and its bytes."""
    dest = str(tmp_path / 'real.db')
    assert modules.run(MODULE, {'endpoints': [etcd_server.url], 'dest': dest})['verified'] is True
    with open(dest, 'rb') as handle:
        return dest, handle.read()


def broken(data, how):
    middle = len(data) // 2
    return {
        'cut short': data[:middle],
        'cut at a page, without its trailer': data[:-32],
        'one byte flipped': data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:],
        'trailer flipped': data[:-1] + bytes([data[-1] ^ 0x01]),
        'a page too many': data + b'\0' * 4096,
        'empty': b'',
    }[how]


@pytest.mark.parametrize('how, message', [
    ('cut short', 'not a database of whole pages followed by its 32-byte sha256'),
    ('cut at a page, without its trailer', 'not a database of whole pages followed by its 32-byte sha256'),
    ('one byte flipped', 'does not end with the sha256 of the bytes before it'),
    ('trailer flipped', 'does not end with the sha256 of the bytes before it'),
    ('a page too many', 'does not end with the sha256 of the bytes before it'),
    ('empty', 'is 0 bytes'),
])
def test_a_damaged_snapshot_fails_the_check(snapshot, tmp_path, how, message):
    path = str(tmp_path / 'damaged.db')
    with open(path, 'wb') as handle:
        handle.write(broken(snapshot[1], how))
    with pytest.raises(SnapshotError) as error:
        etcd_snapshot.check(path)
    assert message in str(error.value)


def streaming(data):
    """Stands in for the module's stream of a snapshot: writes data, as a member whose stream went wrong would."""
    return lambda handle: handle.write(data)


@pytest.mark.parametrize('how', ['cut short', 'one byte flipped'])
def test_a_damaged_stream_never_takes_the_name(snapshot, tmp_path, how):
    dest = str(tmp_path / 'kept.db')
    with open(dest, 'wb') as handle:
        handle.write(b'the previous snapshot')
    with pytest.raises(SnapshotError):
        etcd_snapshot.save(streaming(broken(snapshot[1], how)), dest)
    with open(dest, 'rb') as handle:
        assert handle.read() == b'the previous snapshot'
    assert leftovers(str(tmp_path)) == []
    # The whole stream takes the name.
    size, found = etcd_snapshot.save(streaming(snapshot[1]), dest, inspect=lambda path: {'seen': path})
    assert size == len(snapshot[1]) and found['seen'].endswith('.part') and leftovers(str(tmp_path)) == []
