# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The roles' version rule for their preflights: the rule is module_utils/release.py's, which the release module
applies too."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: release_version_error
short_description: What is wrong with a release version (vX.Y.Z), or an empty string
version_added: 1.0.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - The collection's one version rule (C(vX.Y.Z), each number below 1000), as the M(overlaynet.flannel.release)
    module applies it; the roles' preflights use it for C(etcd_version) and C(flannel_version).
options:
  _input:
    description: The version.
    type: raw
    required: true
  label:
    description: The variable named in the message.
    type: str
    required: true
  example:
    description: The example version the message gives.
    type: str
    default: v0.28.10
'''

EXAMPLES = r'''
- name: Refuse a version without its v
  ansible.builtin.assert:
    that: _error == ''
    fail_msg: "{{ _error }}"
  vars:
    _error: "{{ flannel_version | overlaynet.flannel.release_version_error('flannel_version') }}"
'''

RETURN = r'''
_value:
  description: The message naming the variable and the value, or an empty string when the version is good.
  type: str
'''

from ansible_collections.overlaynet.flannel.plugins.module_utils.release import ReleaseError, parse_version


def release_version_error(version, label, example='v0.28.10'):
    try:
        parse_version(version, label, example)
    except ReleaseError as exc:
        return str(exc)
    return ''


class FilterModule(object):

    def filters(self):
        return {'release_version_error': release_version_error}
