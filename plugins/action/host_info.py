# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller side of overlaynet.flannel.host_info.

Answers from an earlier reading of this run when it holds everything asked for (a second role on the
same host pays no round trip). Otherwise it runs the module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.overlaynet.flannel.plugins.module_utils.host_state import READING_FILES, READING_LISTS

MODULE = 'overlaynet.flannel.host_info'


def covers(reading, args):
    """Whether reading answers args: taken with the same files, and holding every name asked for."""
    if not isinstance(reading.get('read_with'), dict) or reading.get('failed'):
        return False
    if any(reading['read_with'].get(key) != args.get(key, default) for key, default in READING_FILES.items()):
        return False
    for key, default in READING_LISTS.items():
        have = reading.get(key)
        if not isinstance(have, dict) or any(name not in have for name in args.get(key, default) or []):
            return False
    return True


class ActionModule(ActionBase):

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        reuse = args.pop('reuse', None) or {}
        if not isinstance(reuse, dict):
            result.update(failed=True, msg="reuse: expected an earlier host_info result (a dict), got %r" % (reuse,))
            return result
        if not args.get('facts') and covers(reuse, args):
            # Facts of the earlier reading are set already; everything else is handed back as read.
            result.update((key, value) for key, value in reuse.items()
                          if key not in ('ansible_facts', 'invocation', 'changed', 'failed', 'read_as') and not key.startswith('_ansible'))
            result.update(changed=False, host_calls=0)
            return result
        result.update(self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars))
        return result
