# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller side of overlaynet.flannel.host_info.

Answers from an earlier reading of this run when it holds everything asked for (a second role on the
same host pays no round trip). Otherwise, over a pipelined connection, it pipes the reading
(module_utils host_state and host_reading, standard library only) into the host's Python as a plain
script: most of a module's round trip is AnsiballZ unpacking and importing AnsibleModule on the host,
which this reading does not need. Without pipelining it runs the module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.plugins.action import ActionBase

from ansible_collections.overlaynet.flannel.plugins.module_utils import host_reading, host_state
from ansible_collections.overlaynet.flannel.plugins.module_utils.host_state import READING_FILES, READING_LISTS

MODULE = 'overlaynet.flannel.host_info'

# Loads the two files as modules of those names (host_reading finds host_state there), then reads.
SCRIPT = '''
import json, sys, types
def load(name, source):
    module = types.ModuleType(name)
    sys.modules[name] = module
    exec(compile(source, name + '.py', 'exec'), module.__dict__)
    return module
load('host_state', %r)
print(json.dumps(load('host_reading', %r).script_main(json.loads(%r))))
'''


def _source(module):
    with open(module.__file__.replace('.pyc', '.py'), 'r') as handle:
        return handle.read()


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
        result.update(self._read_as_script(args, task_vars) or self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars))
        return result

    def _interpreter(self, args, task_vars):
        """The host's Python as a module would get it (discovering it if need be), or None without pipelining."""
        if not self._connection.is_pipelining_enabled():
            return None
        # The vars of the host the reading runs on: the delegate's when delegated, as _configure_module takes them.
        host_vars = task_vars.get('ansible_delegated_vars', {}).get(self._task.delegate_to, {}) if self._task.delegate_to else task_vars
        known = host_vars.get('ansible_python_interpreter') or host_vars.get('ansible_facts', {}).get('discovered_interpreter_python')
        if known and str(known).startswith('/'):
            return str(known)
        # Not known yet (the first call on the host): let the module machinery discover it, as a module call would.
        built = self._configure_module(module_name=MODULE, module_args=dict(args), task_vars=task_vars)
        shebang = built[1] if len(built) == 4 else built[0].shebang  # ansible-core < 2.19: (style, shebang, data, path)
        return shebang[2:].strip() if shebang and shebang.startswith('#!') else None

    def _read_as_script(self, args, task_vars):
        interpreter = self._interpreter(args, task_vars)
        if not interpreter:
            return None
        _valid, params = self.validate_argument_spec(argument_spec=host_reading.ARGUMENT_SPEC)
        params.pop('reuse', None)
        script = SCRIPT % (_source(host_state), _source(host_reading), json.dumps(params))
        res = self._low_level_execute_command('%s -' % interpreter, sudoable=True, in_data=script.encode('utf-8'))
        try:
            reading = json.loads(res['stdout'].strip().splitlines()[-1])
        except (ValueError, IndexError):
            return dict(failed=True, rc=res['rc'], msg='host_info: the reading printed no result (rc %s): %s'
                        % (res['rc'], (res.get('stderr') or res.get('stdout') or '').strip()[-2000:]))
        if self._discovered_interpreter_key:
            # As _execute_module does: later modules on this host skip the discovery.
            reading.setdefault('ansible_facts', {})[self._discovered_interpreter_key] = self._discovered_interpreter
        return reading
