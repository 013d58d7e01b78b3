# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An etcd snapshot saved to a file, checked before it takes the file's name.

etcd's Maintenance.Snapshot sends the member's database (whole pages) followed by the sha256 of
those bytes. `etcdutl snapshot restore` refuses a file whose size does not leave room for that
trailer, or whose trailer does not match, so check() asks the same of a file before anyone relies
on it. `etcdutl snapshot status` alone does not notice a file cut short.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import re
import tempfile

DIGEST_SIZE = hashlib.sha256().digest_size
# etcdutl takes a snapshot to carry a trailer when its size is 32 past a multiple of 512.
BLOCK = 512
CHUNK = 1024 * 1024


# The UTC time in a backup's name (YYYYmmddTHHMMSSZ): fixed width, so names sort as times do.
BACKUP_TIME = r'[0-9]{8}T[0-9]{6}Z'


class SnapshotError(Exception):
    """The snapshot file is missing, incomplete or damaged, or could not be written; str() is for the user."""


def check(path):
    """Return the size of the etcd snapshot at path; raise SnapshotError unless it ends with the sha256 of the
    bytes before it (what etcd appends, and what `etcdutl snapshot restore` checks)."""
    try:
        size = os.path.getsize(path)
        with open(path, 'rb') as handle:
            if size < BLOCK + DIGEST_SIZE or size % BLOCK != DIGEST_SIZE:
                raise SnapshotError('%s is %d bytes, not a database of whole pages followed by its %d-byte sha256: '
                                    'the snapshot is incomplete' % (path, size, DIGEST_SIZE))
            digest = hashlib.sha256()
            left = size - DIGEST_SIZE
            while left:
                chunk = handle.read(min(CHUNK, left))
                if not chunk:
                    raise SnapshotError('%s got shorter while it was read' % path)
                digest.update(chunk)
                left -= len(chunk)
            trailer = handle.read(DIGEST_SIZE)
    except (IOError, OSError) as exc:
        raise SnapshotError('cannot read %s: %s' % (path, exc.strerror or exc))
    if digest.digest() != trailer:
        raise SnapshotError('%s does not end with the sha256 of the bytes before it: the snapshot is damaged or '
                            'incomplete' % path)
    return size


def _remove(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def save(stream, dest, inspect=None):
    """Save a snapshot as dest; return (its size, what inspect returned).

    stream(handle) writes the snapshot into handle (EtcdClient.snapshot) and closes its connection to etcd before
    it returns: inspect(path) may start a program (etcdutl), and a process forked while gRPC's threads run can
    abort in the child. The snapshot goes to a temporary file in dest's directory (mode 0600, owned by the user the
    module runs as), is checked (check(), then inspect, which raises SnapshotError to refuse it) and only then
    renamed to dest, so dest is either what it was before or a whole, checked snapshot. On any failure the
    temporary file is removed.
    """
    directory = os.path.dirname(os.path.abspath(dest))
    # mkstemp creates the file readable by its owner only: the snapshot holds the auth store.
    fd, part = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(dest), suffix='.part')
    try:
        with os.fdopen(fd, 'wb') as handle:
            try:
                stream(handle)
                handle.flush()
                os.fsync(handle.fileno())
            except (IOError, OSError) as exc:
                raise SnapshotError('writing the snapshot to %s failed: %s' % (part, exc.strerror or exc))
        size = check(part)
        found = inspect(part) if inspect else None
        os.rename(part, dest)
    except BaseException:
        _remove(part)
        raise
    # The rename is on disk only once the directory is.
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return size, found


def backups_to_prune(paths, cluster, keep):
    """The paths among paths of cluster's backups (<cluster>-<UTC time>.db, as playbooks/backup.yml names them)
    beyond the newest keep, oldest first. Other files, other clusters' backups among them, are never chosen.

    keep must be a whole number of at least 1 (an int or its text): 0 would remove the backup just made.
    """
    try:
        count = int(keep)
    except (TypeError, ValueError):
        count = None
    if isinstance(keep, bool) or isinstance(keep, float) or count is None or count < 1:
        raise ValueError('etcd_backup_keep: %r: give the number of backups to keep, a whole number of at least 1 '
                         '(0 would remove the backup just made)' % (keep,))
    # An exact match, so that cluster "a" never takes "a-b-<time>.db" of cluster "a-b" for its own.
    name = re.compile(r'\A%s-(%s)\.db\Z' % (re.escape(cluster), BACKUP_TIME))
    ours = sorted(set((found.group(1), path) for path in paths
                      for found in [name.match(os.path.basename(path))] if found))
    return [path for _time, path in ours[:-count]]
