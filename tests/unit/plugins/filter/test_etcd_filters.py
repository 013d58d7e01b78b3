# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The etcd role's version filters, rendered by Ansible itself the way the role's tasks call them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def render(modules, template):
    result = modules.run_ansible('debug', dict(msg=template), collection='ansible.builtin')
    assert 'msg' in result, result
    return result['msg']


def test_upgrade_plan_as_upgrade_checks_calls_it(modules):
    plan = render(modules, "{{ 'v3.6.16' | overlaynet.flannel.etcd_upgrade_plan({'node1': 'v3.5.1'},"
                           " settings={'etcd_extra_env': {}}, force='false') }}")
    assert plan['check_v2store'] is False and 'node1 runs v3.5.1' in plan['refusals'][0], plan
    forced = render(modules, "{{ 'v3.6.16' | overlaynet.flannel.etcd_upgrade_plan({'node1': 'v3.5.1'}, force=true) }}")
    assert forced == {'refusals': [], 'check_v2store': True}
    checked = render(modules, "{{ 'v3.6.16' | overlaynet.flannel.etcd_upgrade_plan({'node1': 'v3.5.35'}, settings={},"
                              " v2store={'node1': {'rc': 1, 'stdout': '', 'stderr': 'Error: detected custom content in v2store'}}) }}")
    assert 'node1 has v2 keys in its v2 snapshot' in checked['refusals'][0], checked


def test_site_refusals_as_preflight_calls_them(modules):
    refusals = render(modules, "{{ 'v3.6.16' | overlaynet.flannel.etcd_site_refusals(['n1', 'n2'],"
                               " ['/opt/etcd/v3.5.35/etcd', ''], [true, false], '/opt/etcd',"
                               " settings={'etcd_extra_env': {'ETCD_ENABLE_V2': 'true'}}) }}")
    assert len(refusals) == 2, refusals
    assert refusals[0].startswith('etcd_version: v3.6.16 takes members from 3.5 to 3.6 (n1 v3.5.35).')
    assert refusals[1].startswith('etcd_extra_env: etcd 3.6 removed ETCD_ENABLE_V2')
    assert render(modules, "{{ 'v3.7.3' | overlaynet.flannel.etcd_site_refusals(['n1'], ['/opt/etcd/v3.6.16/etcd'],"
                           " [true], '/opt/etcd') }}") == []


def test_package_warning(modules):
    warning = render(modules, "{{ 'etcd Version: 3.4.23' | overlaynet.flannel.etcd_package_warning(['etcd-server']) }}")
    assert warning.startswith('WARNING: etcd_install_method=package installed etcd 3.4.23 (etcd-server)'), warning
    assert render(modules, "{{ 'etcd Version: 3.5.16' | overlaynet.flannel.etcd_package_warning }}") == ''
