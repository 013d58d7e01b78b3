# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""broken_rules, the filter behind each role's one preflight assert, rendered by Ansible itself."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.overlaynet.flannel.plugins.filter.broken_rules import broken_rules


def test_only_a_true_ok_holds():
    rules = [dict(ok=True, msg='a'), dict(ok=False, msg=' b\n'), dict(ok='True', msg='c'), dict(ok='False', msg='d'),
             dict(ok='', msg='e'), dict(msg='f'), dict(ok=None, msg='g')]
    assert broken_rules(rules) == ['b', 'd', 'e', 'f', 'g']
    assert broken_rules([dict(ok=True, msg='a')]) == []


def test_rules_rendered_by_ansible(modules):
    # The tests of a role's rules render to booleans; each broken rule's message comes back, in order.
    template = ("{{ [{'ok': 2 > 1, 'msg': 'holds'}, {'ok': 1 > 2, 'msg': ' first broken '},"
                " {'ok': 'x' is match('y'), 'msg': 'second broken'}] | overlaynet.flannel.broken_rules }}")
    result = modules.run_ansible('debug', dict(msg=template), collection='ansible.builtin')
    assert result['msg'] == ['first broken', 'second broken'], result
