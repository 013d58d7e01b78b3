# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""overlaynet.flannel.service_restart: restart one service on one host, check it, and put the host back
when the check fails.

The one mechanism the roles share for a change on a running cluster: the role writes its files with
config_files (which keeps what they replaced), then this action, per host and one host at a time
(roles/service_roll), restarts the unit, runs the role's check (a module, the values its result must
hold and those it must keep from before the restart) until it passes or time runs out, and on failure
puts every file of that host back, restarts the unit with them and fails with the unit's journal.
Every step is a module run through Ansible's own execution path (_execute_module).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time

from ansible.plugins.action import ActionBase

ARGS = frozenset(('service', 'state', 'files', 'check', 'timeout', 'delay', 'journal_lines'))


def lookup(result, path):
    """The value at a dotted path of a module result (None when any step is missing)."""
    value = result
    for key in path.split('.'):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def mismatches(result, expect, kept=None):
    """'path is X, expected Y' for every expected value the check's result does not hold, and 'path was X
    before the restart, is Y now' for every value it had to keep (kept: path -> value before)."""
    if result.get('failed'):
        return ['%s failed: %s' % (result.get('invoked', 'the check'), result.get('msg', '?'))]
    return (['%s is %r, expected %r' % (path, lookup(result, path), wanted)
             for path, wanted in sorted(expect.items()) if lookup(result, path) != wanted]
            + ['%s was %r before the restart, is %r now' % (path, before, lookup(result, path))
               for path, before in sorted((kept or {}).items()) if lookup(result, path) != before])


# Journal lines that say what went wrong (etcd's JSON levels, klog's E/F lines, Go's flag errors, systemd's).
ERROR_LINE = re.compile(r'"level":"(error|fatal|panic)"|^[EF]\d{4} |\b(error|failed|fatal|invalid|refused|panic|unable)\b',
                        re.IGNORECASE)


def journal_summary(lines, count=8):
    """The last lines of the journal that look like errors (a unit's usage text or its normal chatter
    pushes them out of the last lines), else its last lines."""
    errors = [line for line in lines if ERROR_LINE.search(line)]
    return (errors or lines)[-count:]


def changed_files(files):
    """The config_files entries of this host that the run changed: those it must put back. Takes entries,
    config_files results (their files) or a list of either."""
    entries = []
    for item in files if isinstance(files, list) else [files]:
        if isinstance(item, dict) and isinstance(item.get('files'), list):
            entries.extend(changed_files(item['files']))
        elif isinstance(item, dict) and item.get('dest') and item.get('changed'):
            entries.append(item)
    return entries


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _VALID_ARGS = ARGS

    def _module(self, name, args, task_vars):
        return self._execute_module(module_name=name, module_args=args, task_vars=task_vars)

    def _restart(self, service, task_vars):
        return self._module('ansible.builtin.systemd_service',
                            dict(name=service, state='restarted', daemon_reload=True), task_vars)

    def _run_check(self, check, task_vars):
        return self._module(check['module'], check.get('args') or {}, task_vars)

    def _before(self, check, task_vars):
        """The values of check.keep before the restart (those the host has: a service that never ran keeps nothing)."""
        if not check.get('keep'):
            return {}
        result = self._run_check(check, task_vars)
        values = dict((path, lookup(result, path)) for path in check['keep'])
        return dict((path, value) for path, value in values.items() if value is not None)

    def _check(self, check, kept, timeout, delay, task_vars):
        """[] once the check's module returns what is expected and kept, else what it last returned wrong."""
        deadline = time.time() + timeout
        while True:
            result = self._run_check(check, task_vars)
            problems = mismatches(result, check.get('expect') or {}, kept)
            # A check module that says what is wrong (etcd_cluster_info's errors) says it best.
            if problems and isinstance(result.get('errors'), list):
                problems += [str(error) for error in result['errors']]
            if not problems or time.time() + delay > deadline:
                return problems
            time.sleep(delay)

    def _remove(self, path, task_vars):
        return self._module('ansible.builtin.file', dict(path=path, state='absent'), task_vars)

    def _put_back(self, files, task_vars):
        """Every changed file as it was before the run: its backup moved back, or a new file removed."""
        done = []
        for entry in files:
            if entry.get('backup_file'):
                # Owner, group and mode as config_files wanted them: the backup copy may not carry them.
                result = self._module('ansible.builtin.copy', dict(
                    src=entry['backup_file'], dest=entry['dest'], remote_src=True, owner=entry.get('owner'),
                    group=entry.get('group'), mode=entry.get('mode') or 'preserve'), task_vars)
                if not result.get('failed'):
                    self._remove(entry['backup_file'], task_vars)
            else:
                result = self._remove(entry['dest'], task_vars)
            done.append((entry['dest'], not result.get('failed')))
        return done

    def _journal(self, service, lines, task_vars):
        result = self._module('ansible.builtin.command', dict(
            argv=['journalctl', '--unit=%s' % service, '--lines=%d' % lines, '--no-pager', '--output=cat']), task_vars)
        return [line for line in result.get('stdout_lines') or [] if line.strip()]

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = self._task.args
        service, state, check = args.get('service'), args.get('state', 'restarted'), args.get('check') or {}
        if not isinstance(service, str) or not service:
            return dict(result, failed=True, msg='service: name the systemd unit to restart')
        if state not in ('restarted', 'reverted'):
            return dict(result, failed=True, msg='state: restarted or reverted, not %r' % (state,))
        if state == 'restarted' and (not isinstance(check, dict) or not isinstance(check.get('module'), str)):
            return dict(result, failed=True, msg='check: give the module to run (check.module), its args and the '
                                                 'values its result must hold (check.expect)')
        files = changed_files(args.get('files'))
        host = task_vars.get('inventory_hostname')
        result.update(service=service, files=[entry['dest'] for entry in files])
        if self._task.check_mode:
            return dict(result, changed=state == 'restarted' or bool(files), msg='%s would be %s' % (service, state))
        if state == 'reverted':
            return dict(result, **self._revert(service, host, files, task_vars))
        return dict(result, **self._roll(service, host, files, check, args, task_vars))

    def _revert(self, service, host, files, task_vars):
        put_back = self._put_back(files, task_vars)
        self._module('ansible.builtin.systemd_service', dict(daemon_reload=True), task_vars)
        return dict(changed=bool(put_back), failed=not all(ok for _dest, ok in put_back),
                    put_back=[dest for dest, ok in put_back if ok],
                    msg='%s on %s: put back %s' % (service, host, ', '.join(dest for dest, _ok in put_back) or 'nothing'))

    def _roll(self, service, host, files, check, args, task_vars):
        kept = self._before(check, task_vars)
        restarted = self._restart(service, task_vars)
        problems = (['the restart failed: %s' % restarted.get('msg', '?')] if restarted.get('failed') else
                    self._check(check, kept, int(args.get('timeout', 60)), float(args.get('delay', 1)), task_vars))
        if not problems:
            for entry in files:
                if entry.get('backup_file'):
                    self._remove(entry['backup_file'], task_vars)
            return dict(changed=True, msg='%s restarted on %s and checked' % (service, host))

        # Failed: the journal first (it tells why), then everything this run changed on the host put back.
        journal = self._journal(service, int(args.get('journal_lines', 150)), task_vars)
        put_back = self._put_back(files, task_vars)
        again = self._restart(service, task_vars) if put_back else dict(skipped=True)
        if again.get('skipped'):
            back = 'nothing to put back, so not restarted again'
        elif again.get('failed'):
            back = '%s did not restart with them either: %s' % (service, again.get('msg'))
        else:
            back = '%s restarted with them' % service
        return dict(
            failed=True, changed=True, journal=journal, put_back=[dest for dest, ok in put_back if ok],
            msg='%s on %s failed after the change (%s). Put back: %s; %s. The hosts after it were not touched. '
                'From `journalctl -u %s`: %s' % (
                    service, host, '; '.join(problems), ', '.join(dest for dest, _ok in put_back) or 'nothing',
                    back, service, ' | '.join(journal_summary(journal))))
