# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One install path for release archives: <install_dir>/<version>/ selected with update-alternatives.

The release module (and its tests) call these functions with plain values and get plain values or a
ReleaseError whose text is the message the user sees. Commands run through the run callable they are
given (argv -> (rc, stdout, stderr)): in the module, module_runner(module), the module's run_command.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import hashlib
import os
import re
import shutil
import tarfile
import tempfile

VERSION_RE = re.compile(r'^v(\d+)\.(\d+)\.(\d+)$')
# A version the binary reports: 'v0.28.10' (flanneld) or 'etcd Version: 3.5.1' (etcd); 'go1.20.3'
# (Go's version on etcd's next line) is not one, hence the look-behind.
REPORTED_VERSION_RE = re.compile(r'(?<![\w.])v?(\d+\.\d+\.\d+)(?![\w.])')
SHA256_RE = re.compile(r'^[0-9a-fA-F]{64}$')


class ReleaseError(Exception):
    pass


def version_numbers(text):
    """'v3.5.1' or '3.5.1' -> (3, 5, 1); anything else (or a number of 1000 or more) -> None."""
    text = str(text or '').strip()
    match = VERSION_RE.match(text if text.startswith('v') else 'v' + text)
    numbers = tuple(int(n) for n in match.groups()) if match else None
    return numbers if numbers and max(numbers) < 1000 else None


def parse_version(version, label='version', example='v0.28.10'):
    """The one version rule of the collection (the roles' preflights call it through the release_version_error
    filter): vX.Y.Z, each number below 1000 (update-alternatives' priority is built from them)."""
    if not isinstance(version, str) or not version.startswith('v') or version_numbers(version) is None:
        raise ReleaseError("%s: '%s' must look like vX.Y.Z with each number below 1000 (e.g. %s)." % (label, version, example))
    return version_numbers(version)


def priority(version):
    """vX.Y.Z -> X*1000000 + Y*1000 + Z: update-alternatives' automatic mode would prefer the newest."""
    major, minor, patch = parse_version(version)
    return major * 1000000 + minor * 1000 + patch


def normalize_sha256(text, label):
    """The one sha256 rule of the collection: 64 hex digits, optionally prefixed sha256: (lower-cased, unprefixed)."""
    value = (text or '').strip()
    if value.lower().startswith('sha256:'):
        value = value[len('sha256:'):]
    if not SHA256_RE.match(value):
        raise ReleaseError("%s: '%s' is not a sha256 (64 hex digits, optionally prefixed sha256:)." % (label, text))
    return value.lower()


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def checksum_from_list(text, archive_name, label):
    """The sha256 for archive_name in a SHA256SUMS or <archive>.sha256 text.

    Lines are '<sha256>  <name>' (sha256sum's format, '*<name>' in binary mode); a file holding
    a single bare sum stands for the archive too.
    """
    bare = []
    for line in text.splitlines():
        fields = line.split()
        if not fields or not SHA256_RE.match(fields[0]):
            continue
        if len(fields) == 1:
            bare.append(fields[0])
            continue
        name = fields[1].lstrip('*')
        if name.startswith('./'):
            name = name[2:]
        if os.path.basename(name) == archive_name:
            return fields[0].lower()
    if len(bare) == 1:
        return bare[0].lower()
    raise ReleaseError('%s lists no sha256 for %s.' % (label, archive_name))


def verify_sha256(path, expected, label, archive):
    actual = sha256_of(path)
    if actual != expected:
        raise ReleaseError('%s: the sha256 of %s is %s, not %s. Nothing was unpacked.' % (label, archive, actual, expected))
    return actual


def reported_version(binary, run):
    """What `<binary> --version` says its version is, with the text it printed."""
    rc, out, err = run([binary, '--version'])
    text = (out + err).strip()
    match = REPORTED_VERSION_RE.search(text)
    return ('v' + match.group(1)) if match else None, text, rc


def check_version(binary, version, run):
    found, text, rc = reported_version(binary, run)
    if rc != 0 or found != version:
        raise ReleaseError('%s --version reported %r (exit code %s), not the version asked for: %s.'
                           % (binary, text or '(nothing)', rc, version))


def module_runner(module):
    """The run callable of an AnsibleModule: argv -> (rc, stdout, stderr) through module.run_command, the
    arguments as given (no ~ or $VAR expansion) and undecodable bytes replaced.

    A command that cannot be started at all (a binary for another machine, no execute bit) answers like
    the shell would, rc 127 when it is missing and 126 otherwise, with the reason as its stderr: the
    callers then name the binary in their message instead of the module failing on the exception.
    """
    def run(argv):
        try:
            return module.run_command(list(argv), expand_user_and_vars=False, errors='replace', handle_exceptions=False)
        except OSError as exc:
            return 127 if exc.errno == errno.ENOENT else 126, '', str(exc)
    return run


def _safe_members(archive, strip_components, dest):
    """The archive's members below its first strip_components directories, renamed; refuses escapes."""
    members = []
    for member in archive.getmembers():
        parts = [p for p in member.name.split('/') if p not in ('', '.')]
        if member.name.startswith('/') or '..' in parts:
            raise ReleaseError('the archive holds a path outside its own directory: %s' % member.name)
        parts = parts[strip_components:]
        if not parts:
            continue
        if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
            continue
        if member.issym() or member.islnk():
            base = dest if member.islnk() else os.path.join(dest, *parts[:-1])
            target = os.path.normpath(os.path.join(base, member.linkname))
            if os.path.isabs(member.linkname) or not target.startswith(dest + os.sep):
                raise ReleaseError('the archive holds a link outside its own directory: %s -> %s'
                                   % (member.name, member.linkname))
            if member.islnk():
                link_parts = [p for p in member.linkname.split('/') if p not in ('', '.')][strip_components:]
                member.linkname = '/'.join(link_parts)
        member.name = '/'.join(parts)
        members.append(member)
    return members


def unpack(archive_path, dest, strip_components=0):
    """Unpack a tar archive (any compression tarfile knows) into the existing directory dest."""
    try:
        with tarfile.open(archive_path, 'r:*') as archive:
            members = _safe_members(archive, strip_components, dest)
            kwargs = {'filter': 'data'} if hasattr(tarfile, 'data_filter') else {}
            archive.extractall(dest, members=members, **kwargs)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ReleaseError('%s could not be unpacked: %s' % (archive_path, exc))
    # Unpacked as root the files would keep the archive's owners (a release builder's uid).
    if os.geteuid() == 0:
        for root, dirs, files in os.walk(dest):
            for name in dirs + files:
                os.lchown(os.path.join(root, name), 0, 0)
        os.chown(dest, 0, 0)
    os.chmod(dest, 0o755)


def installed(version_dir, binaries):
    return all(os.path.isfile(os.path.join(version_dir, b)) for b in binaries)


def install_version(archive_path, version_dir, version, binaries, run, strip_components=0):
    """Unpack into a temporary directory beside version_dir, check the binary, then rename it into place.

    A failure leaves version_dir as it was: nothing half-written ever carries the version's name.
    """
    parent = os.path.dirname(version_dir)
    if not os.path.isdir(parent):
        os.makedirs(parent, 0o755)
    staging = tempfile.mkdtemp(prefix='.%s.' % os.path.basename(version_dir), dir=parent)
    old = None
    try:
        unpack(archive_path, staging, strip_components)
        missing = [b for b in binaries if not os.path.isfile(os.path.join(staging, b))]
        if missing:
            raise ReleaseError('%s holds no %s (strip_components=%d). Nothing was installed.'
                               % (archive_path, ', '.join(missing), strip_components))
        try:
            check_version(os.path.join(staging, binaries[0]), version, run)
        except ReleaseError as exc:
            # Name the binary by where it was to go; the staging directory is gone by the time anyone reads this.
            raise ReleaseError('%s Nothing was installed.' % str(exc).replace(staging, version_dir))
        if os.path.lexists(version_dir):
            # An incomplete directory an older run left: keep it aside until the new one is in place.
            old = tempfile.mkdtemp(prefix='.%s.old.' % os.path.basename(version_dir), dir=parent)
            os.rename(version_dir, os.path.join(old, 'dir'))
        os.rename(staging, version_dir)
        staging = None
    finally:
        if staging:
            shutil.rmtree(staging, ignore_errors=True)
        if old:
            shutil.rmtree(old, ignore_errors=True)


class Alternatives:
    """update-alternatives (Debian) or alternatives (Red Hat), optionally on other directories."""

    def __init__(self, command, run, altdir=None, admindir=None):
        self.base = [command]
        if altdir:
            self.base += ['--altdir', altdir]
        if admindir:
            self.base += ['--admindir', admindir]
        self.run = run

    def display(self, name):
        """The group as {'link', 'mode', 'current', 'slave_links': {name: link},
        'entries': {path: {'priority', 'slaves': {name: path}}}}, or None when there is no such group."""
        rc, out, _err = self.run(self.base + ['--display', name])
        if rc != 0:
            return None
        return parse_display(name, out)

    def _call(self, args):
        rc, out, err = self.run(self.base + args)
        if rc != 0:
            raise ReleaseError('%s failed (exit code %d): %s' % (' '.join(self.base + args), rc, (err or out).strip()))

    def install(self, name, link, path, prio, slaves):
        args = ['--install', link, name, path, str(prio)]
        for slave_name, slave_link, slave_path in slaves:
            args += ['--slave', slave_link, slave_name, slave_path]
        self._call(args)

    def select(self, name, path):
        self._call(['--set', name, path])


def parse_display(name, text):
    """Parse `--display` output; both Debian's and Red Hat's wording are understood."""
    group = {'link': None, 'mode': None, 'current': None, 'slave_links': {}, 'entries': {}}
    entry = None
    for line in text.splitlines():
        stripped = line.strip()
        match = re.match(r'^%s - (?:status is )?(auto|manual)' % re.escape(name), line)
        if match:
            group['mode'] = match.group(1)
            continue
        match = re.match(r'^(\S.*) - priority (-?\d+)$', line)
        if match:
            entry = {'priority': int(match.group(2)), 'slaves': {}}
            group['entries'][match.group(1)] = entry
            continue
        match = re.match(r'^link currently points to (\S+)', stripped)
        if match:
            group['current'] = match.group(1)
            continue
        match = re.match(r'^link %s is (\S+)' % re.escape(name), stripped)
        if match:
            group['link'] = match.group(1)
            continue
        match = re.match(r'^slave (\S+) is (\S+)', stripped)
        if match and entry is None:
            group['slave_links'][match.group(1)] = match.group(2)
            continue
        match = re.match(r'^slave (\S+): (\S+)', stripped)
        if match and entry is not None:
            entry['slaves'][match.group(1)] = match.group(2)
    return group
