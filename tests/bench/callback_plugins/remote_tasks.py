# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Counts, per host, the task runs that went to a host (what an idempotent run pays in round trips).

Used by tests/bench/run.py through ANSIBLE_CALLBACK_PLUGINS; prints one JSON line at the end:
REMOTE_TASKS {"host": n, ...}. A task that ran on the controller only (assert, debug, set_fact,
include, meta, ...) or was skipped is not counted; a delegated one counts for the host it ran on.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: remote_tasks
type: aggregate
short_description: Count the task runs that reached each host
description:
  - Prints C(REMOTE_TASKS) and a JSON object of host name to the number of task runs that reached that host.
'''

import json

from ansible.plugins.callback import CallbackBase

# Actions that run on the controller alone.
LOCAL_ACTIONS = frozenset(
    'ansible.builtin.%s' % name for name in (
        'assert', 'debug', 'set_fact', 'include_tasks', 'import_tasks', 'include_role', 'import_role',
        'include_vars', 'meta', 'fail', 'add_host', 'group_by', 'set_stats', 'pause', 'validate_argument_spec',
    )) | frozenset(('assert', 'debug', 'set_fact', 'include_tasks', 'include_role', 'include_vars', 'meta', 'fail',
                    'validate_argument_spec'))


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'remote_tasks'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.counts = {}

    def _count(self, result):
        if result._task.action in LOCAL_ACTIONS:
            return
        host = result._result.get('_ansible_delegated_vars', {}).get('ansible_host') or result._host.get_name()
        if host in ('localhost', '127.0.0.1'):
            return
        items = result._result.get('results')
        if 'host_calls' in result._result:
            # The release action answers from host_info's reading without a round trip (host_calls 0).
            runs = int(result._result['host_calls'])
        else:
            runs = len([item for item in items if not item.get('skipped')]) if isinstance(items, list) else 1
        self.counts[host] = self.counts.get(host, 0) + runs

    def v2_runner_on_ok(self, result):
        self._count(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._count(result)

    def v2_playbook_on_stats(self, stats):
        self._display.display('REMOTE_TASKS ' + json.dumps(self.counts, sort_keys=True))
