# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller side of overlaynet.flannel.config_files: files from the controller, and no round trip when
the host already has them.

Contents are final here (templates are rendered by the task's own lookup), so their checksums can be
compared with what host_info read earlier in the run. Only files that differ are sent, in one call.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.action import ActionBase

from ansible_collections.overlaynet.flannel.plugins.module_utils.config_files import file_entry

MODULE = 'overlaynet.flannel.config_files'
DEFAULTS = dict(state='present', owner='root', group='root', secret=False)


def as_wanted(spec, known):
    """Whether host_info's reading of dest (or None) already matches the wanted file."""
    if not known:
        return False
    if spec['state'] == 'absent':
        return not known.get('exists')
    if not known.get('exists') or known.get('isdir'):
        return False
    wanted = hashlib.sha1(to_bytes(spec['content'], errors='surrogate_or_strict')).hexdigest()
    return (known.get('checksum') == wanted and known.get('owner') == spec['owner']
            and known.get('group') == spec['group'] and known.get('mode') == spec['mode'].zfill(4))


class ActionModule(ActionBase):

    # Contents travel as module arguments: no remote temporary directory, no extra round trip.
    TRANSFERS_FILES = False

    def _content_of(self, src):
        local = self._loader.get_real_file(self._find_needle('files', src), decrypt=True)
        try:
            with open(local, 'rb') as handle:
                return to_text(handle.read(), errors='surrogate_or_strict')
        finally:
            self._loader.cleanup_tmp_file(local)

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        known = args.pop('known', None) or {}
        if not isinstance(known, dict) or not all(isinstance(state, dict) for state in known.values()):
            result.update(failed=True, msg="known: expected host_info's paths result (a dict of path: state), got %r"
                          % (type(known).__name__,))
            return result
        if not isinstance(args.get('files'), list):
            result.update(failed=True, msg='files: expected a list of files (dest, content or src, mode), got %r'
                          % (type(args.get('files')).__name__,))
            return result
        files = []
        for index, given in enumerate(args['files']):
            if not isinstance(given, dict):
                result.update(failed=True, msg='files[%d]: each file is a dict (dest, content or src, mode)' % index)
                return result
            spec = dict(DEFAULTS, **given)
            for key in ('mode', 'directory_mode'):
                if (key == 'mode' or spec.get(key) is not None) and not isinstance(spec.get(key), str):
                    # YAML reads 0644 unquoted as the number 420: refuse it rather than guess.
                    result.update(failed=True, msg='%s: %s must be a quoted octal string such as "0644", got %r'
                                  % (spec.get('dest'), key, spec.get(key)))
                    return result
            src = spec.pop('src', None)
            if src is not None and spec.get('content') is not None:
                result.update(failed=True, msg='%s: give content or src, not both' % spec.get('dest'))
                return result
            if src:
                try:
                    spec['content'] = self._content_of(src)
                except AnsibleError as exc:
                    result.update(failed=True, msg='%s: src %s: %s' % (spec.get('dest'), src, exc))
                    return result
            files.append(spec)

        send = [spec for spec in files if not as_wanted(spec, known.get(spec.get('dest')))]
        if not send:
            result.update(changed=False, files=[file_entry(spec) for spec in files], changed_files=[], host_calls=0)
            return result
        args['files'] = send
        written = self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars)
        if written.get('failed'):
            result.update(written)
            return result
        by_dest = dict((item['dest'], item) for item in written.get('files', []))
        written['files'] = [by_dest.get(spec['dest']) or file_entry(spec) for spec in files]
        result.update(written)
        return result
