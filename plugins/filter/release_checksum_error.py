# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The roles' sha256 rule for their preflights: the rule is module_utils/release.py's, which the release module
applies too."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: release_checksum_error
short_description: What is wrong with an archive's sha256, or an empty string
version_added: 1.0.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - The collection's one sha256 rule (64 hex digits, optionally prefixed C(sha256:); an empty value is allowed), as
    the M(overlaynet.flannel.release) module applies it; the roles' preflights use it for their archive checksums.
options:
  _input:
    description: The checksum.
    type: raw
    required: true
  label:
    description: The variable (or file) named in the message.
    type: str
    required: true
'''

EXAMPLES = r'''
- name: Refuse a checksum that is not a sha256
  ansible.builtin.assert:
    that: _error == ''
    fail_msg: "{{ _error }}"
  vars:
    _error: "{{ etcd_archive_checksum | overlaynet.flannel.release_checksum_error('etcd_archive_checksum') }}"
'''

RETURN = r'''
_value:
  description: The message naming the variable and the value, or an empty string when the checksum is good or empty.
  type: str
'''

from ansible_collections.overlaynet.flannel.plugins.module_utils.release import ReleaseError, normalize_sha256


def release_checksum_error(checksum, label):
    if not checksum:
        return ''
    try:
        normalize_sha256(str(checksum), label)
    except ReleaseError as exc:
        return str(exc)
    return ''


class FilterModule(object):

    def filters(self):
        return {'release_checksum_error': release_checksum_error}
