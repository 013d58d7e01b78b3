# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs a module's logic on the host as a plain Python script, for the action plugins of modules whose
logic lives in module_utils (host_info, flannel_network).

Most of a module's round trip is AnsiballZ unpacking and importing AnsibleModule on the host. Over a
pipelined connection the module_utils sources are piped into the host's Python (`python -`) in one
command instead; without pipelining the caller runs the module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import shlex

from ansible import constants as C

# Loads each source as a module named _overlaynet_<name> (where the module_utils look for each other
# when they cannot import the collection), then prints what the last one's script_main returns.
SCRIPT = '''
import json, sys, types
for name, source in json.loads(%r):
    module = types.ModuleType('_overlaynet_' + name)
    sys.modules[module.__name__] = module
    exec(compile(source, name + '.py', 'exec'), module.__dict__)
print(json.dumps(module.script_main(*json.loads(%r))))
'''


# Ansible's interpreter discovery (the first of INTERPRETER_PYTHON_FALLBACK found, else /usr/bin/python3),
# followed by the script on the same stdin: prints the interpreter's path on the first line.
DISCOVER = ('for p in %s; do p=$(command -v "$p") && { echo "$p"; exec "$p" -; }; done; '
            'echo %s; exec %s -')
FALLBACK = '/usr/bin/python3'


def _source(module):
    with open(module.__file__.replace('.pyc', '.py'), 'r') as handle:
        return handle.read()


def interpreter(action, module_name, module_args, task_vars):
    """How to start the host's Python: (command, discovered). command is the interpreter's path, or a shell
    snippet that discovers it the way Ansible does and starts it (discovered is then True); (None, False)
    when there is none to run."""
    # The vars of the host the script runs on: the delegate's when delegated, as _configure_module takes them.
    delegate = action._task.delegate_to
    host_vars = task_vars.get('ansible_delegated_vars', {}).get(delegate, {}) if delegate else task_vars
    wanted = str(C.config.get_config_value('INTERPRETER_PYTHON', variables=host_vars) or '')
    if wanted.startswith('auto'):
        wanted = host_vars.get('ansible_facts', {}).get('discovered_interpreter_python') or wanted
    if wanted.startswith('/'):
        return wanted, False
    if wanted.startswith('auto'):
        # Discovery would cost a round trip of its own before the script's: done in the same command instead.
        tried = C.config.get_config_value('INTERPRETER_PYTHON_FALLBACK', variables=host_vars)
        return DISCOVER % (' '.join(shlex.quote(name) for name in tried), FALLBACK, FALLBACK), True
    # Anything else (a name to look up, a template): let the module machinery work it out, as a module call would.
    built = action._configure_module(module_name=module_name, module_args=dict(module_args), task_vars=task_vars)
    shebang = built[1] if len(built) == 4 else built[0].shebang  # ansible-core < 2.19: (style, shebang, data, path)
    return (shebang[2:].strip(), False) if shebang and shebang.startswith('#!') else (None, False)


def run(action, module_name, module_args, utils, script_args, task_vars):
    """What utils[-1].script_main(*script_args) returns on the host (over a pipelined connection), or None
    when no interpreter was found.

    utils are the module_utils modules to send, each after those it needs. The result is a failure
    naming module_name when the script prints no JSON (a broken fast path must not pass unnoticed).
    """
    python, discovered = interpreter(action, module_name, module_args, task_vars)
    if not python:
        return None
    sources = json.dumps([(module.__name__.rsplit('.', 1)[-1], _source(module)) for module in utils])
    script = SCRIPT % (sources, json.dumps(list(script_args)))
    command = python if discovered else '%s -' % python
    res = action._low_level_execute_command(command, sudoable=True, in_data=script.encode('utf-8'))
    lines = res['stdout'].strip().splitlines()
    try:
        result = json.loads(lines[-1])
    except (ValueError, IndexError):
        return dict(failed=True, rc=res['rc'], msg='%s: the script printed no result (rc %s): %s'
                    % (module_name, res['rc'], (res.get('stderr') or res.get('stdout') or '').strip()[-2000:]))
    # As _execute_module does: later modules on this host (the delegate, when delegated) skip the discovery.
    if discovered and lines[0].startswith('/'):
        result.setdefault('ansible_facts', {})['discovered_interpreter_python'] = lines[0].strip()
    elif action._discovered_interpreter_key:
        result.setdefault('ansible_facts', {})[action._discovered_interpreter_key] = action._discovered_interpreter
    return result


def run_or_module(action, module_name, module_args, utils, script_args, task_vars):
    """run() over a pipelined connection, else the module. script_args is called (it validates the options on
    the controller) only when the script runs."""
    if action._connection.is_pipelining_enabled():
        ran = run(action, module_name, module_args, utils, script_args(), task_vars)
        if ran is not None:
            return ran
    return action._execute_module(module_name=module_name, module_args=module_args, task_vars=task_vars)
