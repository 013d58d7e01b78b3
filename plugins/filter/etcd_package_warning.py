# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The warning for an end-of-life etcd from a distribution's package: the rule is module_utils/etcd_upgrade.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: etcd_package_warning
short_description: A warning when the distribution's package installed an end-of-life etcd
version_added: 1.0.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - Takes what C(etcd --version) printed and returns a warning naming the version and the way to a supported one
    (the release archive with C(etcd_version)) when it is older than 3.5; an empty string otherwise.
options:
  _input:
    description: The output of C(etcd --version).
    type: str
    required: true
  packages:
    description: The packages that installed it, named in the warning.
    type: list
    elements: str
    default: []
'''

EXAMPLES = r'''
- name: Warn about an end-of-life etcd
  ansible.builtin.debug:
    msg: "{{ 'etcd Version: 3.4.23' | overlaynet.flannel.etcd_package_warning(['etcd-server']) }}"
'''

RETURN = r'''
_value:
  description: The warning, or an empty string.
  type: str
'''

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd_upgrade import package_warning


def etcd_package_warning(version_output, packages=None):
    return package_warning(version_output, list(packages or []))


class FilterModule(object):

    def filters(self):
        return {'etcd_package_warning': etcd_package_warning}
