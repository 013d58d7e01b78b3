# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Connection options shared by every module that talks to etcd (module_utils/etcd.py), and the
    # action group (meta/runtime.yml) that lets module_defaults set them once for all of those modules.
    DOCUMENTATION = r'''
options:
  endpoints:
    description:
      - etcd client endpoints, tried in order until one answers (failover happens when connecting).
      - Each entry is V(host:port), V(http://host:port) or V(https://host:port); the port defaults to 2379.
        Write IPv6 addresses in brackets, for example V([fd00::1]:2379).
      - Without a scheme, TLS is used when O(ca_cert) or O(client_cert) is set.
      - An V(https://) endpoint without O(ca_cert) is verified against the system trust store.
    type: list
    elements: str
    default: ['http://127.0.0.1:2379']
  ca_cert:
    description:
      - PEM file of the CA that signed the etcd server certificates.
    type: path
  client_cert:
    description:
      - PEM client certificate for etcd servers that require client certificate authentication.
      - Requires O(client_key).
    type: path
  client_key:
    description:
      - PEM private key of O(client_cert). The file content is never logged.
    type: path
  user:
    description:
      - etcd user name when etcd authentication is enabled. Requires O(password).
    type: str
  password:
    description:
      - Password of O(user).
    type: str
  timeout:
    description:
      - Seconds to wait for each etcd request, including the connection attempt to each endpoint.
    type: float
    default: 5.0
requirements:
  - etcd3 >= 0.12.0 (Python library) where the module runs. It works with any protobuf version
    because the module selects protobuf's pure Python runtime unless E(PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION) is already set.
notes:
  - The module runs where the task runs. By default that is the managed host. To talk to etcd from the
    controller, delegate the task to V(localhost); or delegate it to an etcd member to use its loopback
    endpoint and certificates.
attributes:
  action_group:
    description:
      - The module is in the action group named here, so C(module_defaults) with C(group/overlaynet.flannel.etcd)
        gives the connection options above to every etcd module of this collection at once.
    support: full
    membership:
      - overlaynet.flannel.etcd
'''
