# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller side of overlaynet.flannel.host_info: answer from an earlier reading of this run when it holds
everything asked for, so that a second role on the same host pays no round trip."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

MODULE = 'overlaynet.flannel.host_info'

# The module's defaults: a reading answers a call that leaves an option unset only if it was taken with these.
FILES = dict(subnet_file='/run/flannel/subnet.env',
             docker_dropin='/etc/systemd/system/docker.service.d/flannel.conf',
             daemon_json='/etc/docker/daemon.json',
             alternatives_dir='/etc/alternatives')
LISTS = dict(units=['flanneld', 'docker', 'etcd'], alternatives=['flanneld', 'etcd'], paths=[], env_files=[],
             users=[], python_modules=[], commands=[])


def missing(reading, args):
    """Why reading does not answer args ('' when it does): another file read, or a name it lacks."""
    if not isinstance(reading, dict) or not isinstance(reading.get('read_with'), dict) or reading.get('failed'):
        return 'no earlier reading'
    for key, default in FILES.items():
        if reading['read_with'].get(key) != args.get(key, default):
            return '%s differs' % key
    for key, default in LISTS.items():
        have = reading.get(key)
        wanted = args.get(key, default) or []
        if not isinstance(have, dict) or any(name not in have for name in wanted):
            return '%s not all read' % key
    return ''


class ActionModule(ActionBase):

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        reuse = args.pop('reuse', None) or {}
        if args.get('facts') or missing(reuse, args):
            result.update(self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars))
            return result
        # Facts of the earlier reading are set already; everything else is handed back as read.
        result.update((key, value) for key, value in reuse.items()
                      if key not in ('ansible_facts', 'invocation', 'changed', 'failed') and not key.startswith('_ansible'))
        result.update(changed=False, host_calls=0)
        return result
