#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: config_files
short_description: Write a role's configuration files in one round trip
version_added: 1.0.0
description:
  - Writes several files on a host in one call, each with its owner, group and mode, keeping a copy
    of every file it replaces (RV(files[].backup_file)), so that a service that fails with the new
    settings can be given the old ones back.
  - The action plugin of the same name takes the files' contents from the controller (rendered
    templates as O(files[].content), or controller files as O(files[].src)). Given what the host
    reported about the files earlier in the run (O(known), the RV(overlaynet.flannel.host_info#module:paths)
    of M(overlaynet.flannel.host_info)), it answers without contacting the host when every file is
    already as wanted, so an unchanged run costs no round trip.
  - Each file is written to a temporary file in its directory with its final owner, group and mode,
    then renamed over the old one, so a reader never sees a half-written or wrongly readable file.
author:
  - overlaynet.flannel contributors (@overlaynet)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
options:
  files:
    description: The files to write.
    type: list
    elements: dict
    required: true
    suboptions:
      dest:
        description:
          - Absolute path of the file on the host. Its directory must exist, unless O(files[].directory_mode)
            is given. Every file's directory, owner and group are checked before any file is written; in check mode
            they may be missing, when an earlier task of the run creates them.
        type: path
        required: true
      content:
        description:
          - The file's text, typically C(lookup('ansible.builtin.template', ...)).
          - Exactly one of O(files[].content) and O(files[].src) is given (or neither with O(files[].state=absent)).
        type: str
      src:
        description:
          - A file on the controller (the role's C(files/) or a path), read by the action plugin and
            sent as the content. Vault-encrypted files are decrypted.
        type: path
      state:
        description: V(absent) removes the file (its copy is kept like a replaced file's).
        type: str
        choices: [present, absent]
        default: present
      owner:
        description: Owner of the file.
        type: str
        default: root
      group:
        description: Group of the file.
        type: str
        default: root
      mode:
        description: Mode as an octal string, for example V('0644').
        type: str
        required: true
      secret:
        description: The content is a secret - it is left out of the diff (only its size is shown).
        type: bool
        default: false
      directory_mode:
        description:
          - When the file's directory is missing, create it (and any missing parent), owned by root, with this
            mode as an octal string. An existing directory is left as it is.
          - Without it, the directory must exist.
        type: str
  backup:
    description: Keep a copy of each file that is replaced or removed, next to it.
    type: bool
    default: true
  known:
    description:
      - The RV(overlaynet.flannel.host_info#module:paths) result of M(overlaynet.flannel.host_info) for
        the same host, read earlier in the run. When every file there already has the wanted checksum,
        owner, group and mode, the host is not contacted. Handled by the action plugin.
    type: dict
attributes:
  action:
    support: full
    details: The action plugin reads O(files[].src) on the controller and skips the host when O(known) matches.
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Reports which files would change, with their diff, and writes nothing.
  diff_mode:
    support: full
    details: Shows each changed file before and after; a O(files[].secret) file only by size.
  platform:
    platforms: posix
seealso:
  - module: overlaynet.flannel.host_info
'''

EXAMPLES = r'''
- name: Write flanneld's settings and unit
  overlaynet.flannel.config_files:
    known: "{{ _flannel_host.paths }}"
    files:
      - dest: /etc/default/flannel
        content: "{{ lookup('ansible.builtin.template', 'flannel.env.j2') }}"
        mode: "0644"
      - dest: /etc/systemd/system/flanneld.service
        content: "{{ lookup('ansible.builtin.template', 'flanneld.service.j2') }}"
        mode: "0644"
  register: written
  notify: Restart flanneld

- name: Install a client key and a password file
  overlaynet.flannel.config_files:
    files:
      - dest: /etc/flannel/pki/client-key.pem
        src: files/client-key.pem
        mode: "0600"
        secret: true
  no_log: true
'''

RETURN = r'''
files:
  description: One entry per file of O(files), in order.
  returned: always
  type: list
  elements: dict
  contains:
    dest:
      description: The file's path.
      type: str
    changed:
      description: Whether the file's content, owner, group or mode was (or, in check mode, would be) changed.
      type: bool
    state:
      description: V(present) or V(absent).
      type: str
    owner:
      description: The wanted owner.
      type: str
    group:
      description: The wanted group.
      type: str
    mode:
      description: The wanted mode.
      type: str
    secret:
      description: Whether the file is a secret (O(files[].secret)); a restore of its backup hides it too.
      type: bool
    backup_file:
      description: The copy of the replaced or removed file, when one was made.
      type: str
      returned: when a file with other content was replaced or removed and O(backup=true)
  sample:
    - {dest: /etc/default/flannel, changed: true, state: present, owner: root, group: root, mode: '0644', secret: false,
       backup_file: /etc/default/flannel.1234.2026-11-30@12:00:00~}
changed_files:
  description: The paths of the files that changed (or would change).
  returned: always
  type: list
  elements: str
  sample: [/etc/default/flannel]
host_calls:
  description: Round trips to the host this task made (0 when O(known) showed every file as wanted).
  returned: always
  type: int
  sample: 0
'''

import grp
import os
import pwd
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_text

from ansible_collections.overlaynet.flannel.plugins.module_utils.config_files import file_entry

FILE_SPEC = dict(
    dest=dict(type='path', required=True),
    content=dict(type='str', no_log=False),
    src=dict(type='path'),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
    owner=dict(type='str', default='root'),
    group=dict(type='str', default='root'),
    mode=dict(type='str', required=True),
    secret=dict(type='bool', default=False),
    directory_mode=dict(type='str'),
)


def _read(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def _diff(spec, before, after):
    def shown(data):
        if data is None:
            return ''
        if spec['secret']:
            return '(secret, %d bytes)\n' % len(data)
        return to_text(data, errors='surrogate_or_strict')
    return dict(before_header=spec['dest'], after_header=spec['dest'], before=shown(before), after=shown(after))


def _write(module, spec, data):
    """Temporary file beside dest, final owner/group/mode set on it, then renamed over dest."""
    directory = os.path.dirname(spec['dest'])
    fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(spec['dest']), dir=directory)
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        attrs = dict(path=tmp, owner=spec['owner'], group=spec['group'], mode=spec['mode'])
        module.set_fs_attributes_if_different(module.load_file_common_arguments(attrs), False)
        os.rename(tmp, spec['dest'])
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _make_directory(module, directory, mode):
    """Create a missing directory and its missing parents, root's, with mode (given by the file)."""
    if not mode or os.path.isdir(directory):
        return
    _make_directory(module, os.path.dirname(directory), mode)
    os.mkdir(directory)
    attrs = dict(path=directory, owner='root', group='root', mode=mode)
    module.set_fs_attributes_if_different(module.load_file_common_arguments(attrs), False)


def apply(module, spec, backup):
    """Bring one file to spec; returns its result entry and its diff (None when unchanged)."""
    dest = spec['dest']
    before = _read(dest)
    entry = file_entry(spec)
    if spec['state'] == 'absent':
        if not os.path.lexists(dest):
            return entry, None
        entry['changed'] = True
        if not module.check_mode:
            if backup and before is not None:
                entry['backup_file'] = module.backup_local(dest)
            os.unlink(dest)
        return entry, _diff(spec, before, None)

    after = to_bytes(spec['content'], errors='surrogate_or_strict')
    if before != after:
        entry['changed'] = True
        if not module.check_mode:
            if backup and before is not None:
                entry['backup_file'] = module.backup_local(dest)
            _make_directory(module, os.path.dirname(dest), spec.get('directory_mode'))
            _write(module, spec, after)
        return entry, _diff(spec, before, after)

    attrs = dict(path=dest, owner=spec['owner'], group=spec['group'], mode=spec['mode'])
    entry['changed'] = module.set_fs_attributes_if_different(module.load_file_common_arguments(attrs), False)
    return entry, None


def validate(files):
    """The rule each file breaks, named by its dest; [] when all are fine."""
    errors = []
    for index, spec in enumerate(files):
        name = spec.get('dest') or 'files[%d]' % index
        if not os.path.isabs(spec.get('dest') or ''):
            errors.append('%s: dest must be an absolute path' % name)
        if spec.get('state', 'present') == 'present' and spec.get('content') is None:
            errors.append('%s: content (or src, on the controller) is required unless state=absent' % name)
        for key in ('mode', 'directory_mode'):
            mode = spec.get(key) or ''
            if (key == 'mode' or mode) and not (len(mode) in (3, 4) and all(c in '01234567' for c in mode)):
                errors.append('%s: %s must be an octal string such as "0644", got %r' % (name, key, mode))
    return errors


def _exists(lookup, name):
    try:
        lookup(name)
        return True
    except KeyError:
        return False


def host_errors(files, check_mode):
    """What this host lacks for the files (directory, owner, group), checked before any file is written.
    In check mode none of these is an error: an earlier task of the same run creates them (on a fresh
    host the etcd role's account and directories are only predicted when its settings are)."""
    if check_mode:
        return []
    errors = []
    for spec in files:
        if spec['state'] != 'present':
            continue
        directory = os.path.dirname(spec['dest'])
        if not os.path.isdir(directory) and not spec.get('directory_mode'):
            errors.append('%s: directory %s does not exist' % (spec['dest'], directory))
        if not _exists(pwd.getpwnam, spec['owner']):
            errors.append('%s: owner %s does not exist on this host' % (spec['dest'], spec['owner']))
        if not _exists(grp.getgrnam, spec['group']):
            errors.append('%s: group %s does not exist on this host' % (spec['dest'], spec['group']))
    return errors


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type='list', elements='dict', required=True, options=FILE_SPEC),
            backup=dict(type='bool', default=True),
            known=dict(type='dict'),
        ),
        supports_check_mode=True,
    )
    errors = validate(module.params['files']) or host_errors(module.params['files'], module.check_mode)
    if errors:
        module.fail_json(msg='; '.join(errors))
    for spec in module.params['files']:
        if spec['secret'] and spec['content']:
            module.no_log_values.add(spec['content'])
    results, diffs = [], []
    for spec in module.params['files']:
        entry, diff = apply(module, spec, module.params['backup'])
        results.append(entry)
        if diff:
            diffs.append(diff)
    changed_files = [entry['dest'] for entry in results if entry['changed']]
    module.exit_json(changed=bool(changed_files), files=results, changed_files=changed_files, diff=diffs,
                     host_calls=1)


if __name__ == '__main__':
    main()
