# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The messages of the settings rules that do not hold: each role's one preflight assert reports them all."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: broken_rules
short_description: The messages of the rules that do not hold
version_added: 1.0.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - Takes a list of rules, each a dict with C(ok) and C(msg), and returns the C(msg) (whitespace trimmed) of every
    rule whose C(ok) is not true, in order.
  - A rule holds only when C(ok) is V(true), or the string V(True) that ansible-core before 2.19 renders a test as;
    anything else, an empty value included, is broken.
options:
  _input:
    description: The rules.
    type: list
    elements: dict
    required: true
'''

EXAMPLES = r'''
- name: Check the settings
  ansible.builtin.assert:
    that: _broken | length == 0
    fail_msg: "{{ _broken | join(' ') }}"
  vars:
    _broken: "{{ _rules | overlaynet.flannel.broken_rules }}"
    _rules:
      - ok: "{{ my_port | int <= 65535 }}"
        msg: "my_port: {{ my_port }} is not a TCP port."
'''

RETURN = r'''
_value:
  description: The messages of the broken rules, in the rules' order; empty when every rule holds.
  type: list
  elements: str
'''

HOLDS = (True, 'True')


def broken_rules(rules):
    return [str(rule.get('msg', '')).strip() for rule in rules if rule.get('ok') not in HOLDS]


class FilterModule(object):

    def filters(self):
        return {'broken_rules': broken_rules}
