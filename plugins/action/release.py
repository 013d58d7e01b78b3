# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller side of overlaynet.flannel.release: copy a controller archive only when the host lacks the version.

The module is called once without the archive. It answers for an installed version (the
idempotent run: one call, nothing copied); otherwise the archive's checksum is verified here,
before anything is copied, and the module is called again with the copy.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.errors import AnsibleError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.overlaynet.flannel.plugins.module_utils.release import (
    ReleaseError,
    normalize_sha256,
    priority,
    verify_sha256,
)

MODULE = 'overlaynet.flannel.release'


class ActionModule(ActionBase):

    # Not True: that would make a remote temporary directory on every run, an extra round trip
    # for the idempotent case. One is made only when the archive is copied.
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        selected = args.pop('selected', None)
        try:
            version_dir = os.path.join(args['install_dir'], args['version'])
            path = os.path.join(version_dir, args['name'])
            if selected and selected == path:
                result.update(changed=False, version_dir=version_dir, path=path, previous=path,
                              priority=priority(args['version']), unpacked=False, switched=False, host_calls=0)
                return result
        except (KeyError, ReleaseError):
            pass  # the module reports what is missing or malformed
        src = args.get('src')
        if not src or boolean(args.get('remote_src', False), strict=False):
            result.update(self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars), host_calls=1)
            return result

        probe_args = dict(args)
        del probe_args['src']
        probe = self._execute_module(module_name=MODULE, module_args=probe_args, task_vars=task_vars)
        probe.pop('archive_needed', None)
        probe['host_calls'] = 1
        if probe.get('failed') or not probe.get('unpacked'):
            result.update(probe)
            return result

        label = args.get('checksum_label') or 'checksum'
        try:
            local = self._loader.get_real_file(self._find_needle('files', src), decrypt=True)
            if args.get('checksum'):
                verify_sha256(local, normalize_sha256(args['checksum'], label), label, src)
        except AnsibleError as exc:
            probe.update(failed=True, changed=False, msg='src: %s' % exc)
            result.update(probe)
            return result
        except ReleaseError as exc:
            probe.update(failed=True, changed=False, msg='%s' % exc)
            result.update(probe)
            return result
        if self._task.check_mode:
            result.update(probe)
            return result

        try:
            if self._connection._shell.tmpdir is None:
                self._make_tmp_path()
            tmp_src = self._connection._shell.join_path(self._connection._shell.tmpdir, 'archive')
            self._transfer_file(local, tmp_src)
            self._fixup_perms2((self._connection._shell.tmpdir, tmp_src))
            args.update(src=tmp_src, remote_src=True)
            installed = self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
            self._loader.cleanup_tmp_file(local)
        if 'msg' in installed:
            installed['msg'] = installed['msg'].replace(tmp_src, src)
        # The first call knew the selection before anything changed.
        installed.update(previous=probe.get('previous'), switched=True, host_calls=2)
        if 'diff' in probe:
            installed['diff'] = probe['diff']
        result.update(installed)
        return result
