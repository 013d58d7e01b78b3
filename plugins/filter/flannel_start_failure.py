# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Why flanneld did not start, from its journal: the sentence an operator reads when the flannel role fails."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: flannel_start_failure
short_description: The likely cause of a flanneld that did not start, read from its journal
version_added: 1.0.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - Takes the last lines of C(journalctl -u flanneld) and the role's etcd settings, and returns the likely cause
    (the variable to look at and its value) followed by flanneld's own error lines; an empty string when the
    journal holds no error.
options:
  _input:
    description: The journal's lines.
    type: list
    elements: str
    required: true
  settings:
    description:
      - The settings named in the causes - C(ca_file), C(ca_src), C(cert_file), C(key_file), C(endpoints) (a list)
        and C(prefix).
    type: dict
    default: {}
'''

EXAMPLES = r'''
- name: Explain why flanneld did not start
  ansible.builtin.fail:
    msg: >-
      {{ _journal.stdout_lines | overlaynet.flannel.flannel_start_failure({'ca_file': flannel_etcd_ca_file,
         'endpoints': flannel_etcd_endpoints, 'prefix': flannel_etcd_prefix}) }}
'''

RETURN = r'''
_value:
  description: The cause and flanneld's error lines, or an empty string.
  type: str
'''

import re

# klog's error and fatal lines: E1203 10:11:12.123456 ...
_ERROR_LINE = re.compile(r'^[EF]\d{4} ')
_TLS_ERROR = re.compile(r'(?:tls|x509): [^"\\]+')
_UNREACHABLE = re.compile(r'connection refused|context deadline exceeded|no such host|i/o timeout|error while dialing',
                          re.IGNORECASE)
_AUTH = re.compile(r'authentication failed|permission denied|invalid auth', re.IGNORECASE)
_NO_CONFIG = re.compile(r"Couldn't fetch network config|network config not found|key not found")


def _cause(log, settings):
    tls = _TLS_ERROR.search(log)
    if 'certificate signed by unknown authority' in log:
        return ("etcd's certificate is not signed by the CA flanneld trusts, flannel_etcd_ca_file (%s, copied from "
                "flannel_etcd_ca_src %s): %s." % (settings.get('ca_file') or '-', settings.get('ca_src') or '-',
                                                  tls.group(0).strip() if tls else 'unknown authority'))
    if tls or 'bad certificate' in log:
        return ('TLS to etcd failed (%s); check flannel_etcd_ca_file (%s), flannel_etcd_cert_file (%s) and '
                'flannel_etcd_key_file (%s).' % (tls.group(0).strip() if tls else 'bad certificate',
                                                 settings.get('ca_file') or '-', settings.get('cert_file') or '-',
                                                 settings.get('key_file') or '-'))
    if _UNREACHABLE.search(log):
        return ('etcd is unreachable at %s (flannel_etcd_endpoints): check that etcd runs there and the address, '
                'port and TLS settings.' % ', '.join(settings.get('endpoints') or []))
    if _AUTH.search(log):
        return "etcd refused flannel's credentials; check flannel_etcd_username and flannel_etcd_password."
    if _NO_CONFIG.search(log):
        return 'no network config at %s/config; check flannel_etcd_prefix.' % (settings.get('prefix') or '')
    return ''


def flannel_start_failure(lines, settings=None):
    lines = [line for line in lines or [] if line.strip()]
    cause = _cause('\n'.join(lines), settings or {})
    errors = [line for line in lines if _ERROR_LINE.match(line)][-5:]
    parts = (['Likely cause: ' + cause] if cause else []) + (
        ["flanneld's errors (journalctl -u flanneld): " + ' | '.join(errors)] if errors else [])
    return ' '.join(parts)


class FilterModule(object):

    def filters(self):
        return {'flannel_start_failure': flannel_start_failure}
