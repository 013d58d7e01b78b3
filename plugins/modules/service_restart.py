#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: service_restart
short_description: Restart a service on one host, check it, and put the host's changed files back when it fails
version_added: 1.0.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - The step of a change on a running cluster that every role of this collection shares (the internal role
    C(overlaynet.flannel.service_roll) runs it for one host after the other, stopping at the first failure).
  - With O(state=restarted) it restarts the systemd unit O(service) (with a daemon reload), then runs the check
    O(check) until the module's result holds every value of O(check.expect) and keeps every value of
    O(check.keep) or O(timeout) runs out. When it passes, the backups of O(files) are removed. When the
    restart or the check fails, it reads the unit's journal, puts every changed file of O(files) back (a replaced file from its backup, a new file removed),
    restarts the unit with them and fails with the cause and the journal.
  - With O(state=reverted) it only puts O(files) back (and reloads systemd), for a host the roll did not reach
    because an earlier host failed, so that it never starts with what failed.
  - Each step runs a module through Ansible's own execution path; this module has no code of its own on the host.
extends_documentation_fragment:
  - overlaynet.flannel.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    details: Predicts the restart and changes nothing.
  diff_mode:
    support: none
options:
  service:
    description: The systemd unit.
    type: str
    required: true
  state:
    description: V(restarted) restarts and checks; V(reverted) only puts O(files) back.
    type: str
    choices: [restarted, reverted]
    default: restarted
  files:
    description:
      - This host's writes in this run - registered M(overlaynet.flannel.config_files) results, or their
        RV(overlaynet.flannel.config_files#module:files) entries; the changed files are what is put back on failure.
    type: raw
    default: []
  check:
    description: The check after the restart (needed with O(state=restarted)).
    type: dict
    suboptions:
      module:
        description: The module to run on the host, for example V(overlaynet.flannel.host_info).
        type: str
        required: true
      args:
        description: Its arguments.
        type: dict
        default: {}
      expect:
        description: Dotted paths into the module's result and the value each must have.
        type: dict
        default: {}
      keep:
        description:
          - Dotted paths into the module's result whose values must be the same after the restart as before it
            (the check runs once before the restart to read them), for example the subnet a host leases. A path
            the result does not hold before the restart is not checked.
        type: list
        elements: str
        default: []
  timeout:
    description: Seconds the check may take to pass after the restart.
    type: int
    default: 60
  delay:
    description: Seconds between two tries of the check.
    type: float
    default: 1
  journal_lines:
    description:
      - Lines of the unit's journal read on failure (the message shows those that look like errors); enough for a
        daemon that prints its whole usage text after a bad flag.
    type: int
    default: 150
seealso:
  - module: overlaynet.flannel.config_files
'''

EXAMPLES = r'''
- name: Restart docker on node2 and require docker0 on flanneld's subnet; put node2 back when it fails
  overlaynet.flannel.service_restart:
    service: docker
    files: "{{ hostvars['node2']._docker_dropin_written.files }}"
    check:
      module: overlaynet.flannel.host_info
      args: {units: [docker], alternatives: []}
      expect:
        docker0: 10.5.1.1/24
        units.docker.active_state: active
  delegate_to: node2
'''

RETURN = r'''
service:
  description: The unit.
  returned: always
  type: str
  sample: docker
files:
  description: The changed files of O(files) (what a failure puts back).
  returned: always
  type: list
  elements: str
  sample: [/etc/systemd/system/docker.service.d/flannel.conf]
put_back:
  description: The files that were put back.
  returned: on failure, and with O(state=reverted)
  type: list
  elements: str
journal:
  description: The last lines of the unit's journal.
  returned: on failure
  type: list
  elements: str
'''
