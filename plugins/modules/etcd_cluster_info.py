#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: etcd_cluster_info
short_description: Version, health and leader of etcd endpoints, or of every member of the cluster
version_added: 1.0.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - Asks each endpoint in O(endpoints), and with O(cluster=true) also each client URL of every member of the
    cluster, for its status and health, and changes nothing.
  - An endpoint is healthy when it serves a linearizable read (which needs a leader) and no alarm is raised,
    the same test as C(etcdctl endpoint health). A read refused for lack of permission still counts as healthy.
  - An endpoint that does not answer is reported, not an error of the module, so that a task can wait for
    health with C(until).
  - With user and password given, they are used only when etcd has authentication on (as etcdctl does), so
    the same task works before and after authentication is turned on.
extends_documentation_fragment:
  - overlaynet.flannel.etcd
  - overlaynet.flannel.attributes.read_only
  - ansible.builtin.action_common_attributes
options:
  cluster:
    description:
      - Also ask every member of the cluster (found through the first of O(endpoints) that answers), like
        C(etcdctl endpoint health --cluster). The answers are in RV(cluster).
    type: bool
    default: false
seealso:
  - module: overlaynet.flannel.etcd_auth
'''

EXAMPLES = r'''
- name: Wait until every member of the cluster is healthy
  overlaynet.flannel.etcd_cluster_info:
    endpoints: ['https://127.0.0.1:2379']
    ca_cert: /etc/etcd/pki/ca.crt
    client_cert: /etc/etcd/pki/member.crt
    client_key: /etc/etcd/pki/member.key
    cluster: true
  register: etcd_cluster
  until: etcd_cluster.healthy
  retries: 30
  delay: 2

- name: Show the version the local member runs
  ansible.builtin.debug:
    msg: "{{ etcd_cluster.endpoints[0].version }}"
'''

RETURN = r'''
healthy:
  description: Whether every endpoint asked (in RV(endpoints) and RV(cluster)) is healthy, and, with O(cluster=true), the members could be listed.
  returned: always
  type: bool
  sample: true
endpoints:
  description: One entry per endpoint of O(endpoints), in order.
  returned: always
  type: list
  elements: dict
  contains:
    endpoint:
      description: The endpoint.
      type: str
      sample: https://10.0.0.11:2379
    healthy:
      description: Whether it answered, served a linearizable read and has no alarm raised.
      type: bool
      sample: true
    version:
      description: The etcd version it runs, without the leading v; null when it did not answer.
      type: str
      sample: 3.5.35
    member_id:
      description: Its member id in hex; null when it did not answer.
      type: str
      sample: 8e9e05c52164694d
    leader_id:
      description: The id of the member it takes for the leader, in hex (V(0) while it knows none).
      type: str
      sample: 8e9e05c52164694d
    is_leader:
      description: Whether it is the leader.
      type: bool
      sample: true
    raft_term:
      description: Its raft term.
      type: int
      sample: 2
    raft_index:
      description: Its raft index.
      type: int
      sample: 57
    db_size:
      description: The size of its database in bytes.
      type: int
      sample: 20480
    auth_failed:
      description: Whether it refused the user name or password.
      type: bool
      sample: false
    errors:
      description: What is wrong with it, for the user; empty when healthy.
      type: list
      elements: str
      sample: ["connection refused: failed to connect to all addresses"]
auth_failed:
  description: Whether some endpoint refused the user name or password (a wrong O(password) rather than a sick member).
  returned: always
  type: bool
  sample: false
cluster:
  description: With O(cluster=true), one entry per client URL of every member, in the form of RV(endpoints); else empty.
  returned: always
  type: list
  elements: dict
  sample: []
members:
  description: The cluster's members as etcd lists them (with O(cluster=true); empty when no endpoint answered).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "8e9e05c52164694d", "name": "node1", "peer_urls": ["https://10.0.0.11:2380"],
            "client_urls": ["https://10.0.0.11:2379"]}]
errors:
  description: Every problem found, as C(<endpoint>) followed by a colon and the cause; empty when all is healthy.
  returned: always
  type: list
  elements: str
  sample: ["https://10.0.0.12:2379: connection refused: failed to connect to all addresses"]
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd import (
    ETCD3_IMPORT_ERROR,
    ETCD_CONNECTION_REQUIRED_TOGETHER,
    HAS_ETCD3,
    EtcdAuthError,
    EtcdClient,
    EtcdConnectError,
    EtcdError,
    EtcdUsageError,
    etcd_argument_spec,
    probe_endpoint,
)


def cluster_info(params, cluster):
    """Return (reports of endpoints, reports of the members' URLs, members, errors) for params."""
    options = dict(ca_cert=params['ca_cert'], client_cert=params['client_cert'], client_key=params['client_key'],
                   user=params['user'], password=params['password'], timeout=params['timeout'], auth_optional=True)
    members = []
    errors = []
    auth_failed = False
    reports = [probe_endpoint(url, **options) for url in params['endpoints']]
    if cluster:
        client = EtcdClient(params['endpoints'], **options)
        try:
            members = client.connect().members()
        except EtcdUsageError:
            raise
        except EtcdConnectError as exc:
            errors.extend('%s: %s' % failure for failure in exc.failures)
        except EtcdAuthError as exc:
            errors.append(str(exc))
            auth_failed = True
        except EtcdError as exc:
            errors.append(str(exc))
        finally:
            client.close()
    cluster_reports = [probe_endpoint(url, **options) for member in members for url in member['client_urls']]
    errors.extend('%s: %s' % (report['endpoint'], cause)
                  for report in reports + cluster_reports for cause in report['errors'])
    auth_failed = auth_failed or any(report['auth_failed'] for report in reports + cluster_reports)
    return reports, cluster_reports, members, errors, auth_failed


def main():
    module = AnsibleModule(
        argument_spec=etcd_argument_spec(cluster=dict(type='bool', default=False)),
        required_together=ETCD_CONNECTION_REQUIRED_TOGETHER,
        supports_check_mode=True,
    )
    if not HAS_ETCD3:
        module.fail_json(msg=missing_required_lib('etcd3'), exception=ETCD3_IMPORT_ERROR)
    if not module.params['endpoints']:
        module.fail_json(msg='endpoints: must list at least one etcd endpoint')
    try:
        reports, cluster_reports, members, errors, auth_failed = cluster_info(module.params, module.params['cluster'])
    except EtcdUsageError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, healthy=not errors, endpoints=reports, cluster=cluster_reports,
                     members=members, errors=errors, auth_failed=auth_failed)


if __name__ == '__main__':
    main()
