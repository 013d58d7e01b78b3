# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller side of overlaynet.flannel.flannel_network.

Over a pipelined connection the options are validated here and the module's logic (module_utils
flannel_network with the etcd client, flannel_config and host_state) runs on the host as a plain
script: it is run on every site.yml run, and AnsiballZ's start-up was most of its cost. Without
pipelining it runs the module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.overlaynet.flannel.plugins.module_utils import etcd, flannel_config, flannel_network, host_state
from ansible_collections.overlaynet.flannel.plugins.plugin_utils import host_script

MODULE = 'overlaynet.flannel.flannel_network'


class ActionModule(ActionBase):

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        result.update(host_script.run_or_module(
            self, MODULE, dict(self._task.args), [host_state, flannel_config, etcd, flannel_network],
            self._script_args, task_vars))
        return result

    def _script_args(self):
        _valid, params = self.validate_argument_spec(
            argument_spec=flannel_network.ARGUMENT_SPEC, required_if=flannel_network.REQUIRED_IF,
            required_together=flannel_network.REQUIRED_TOGETHER)
        return [params, bool(self._task.check_mode), bool(self._task.diff)]
