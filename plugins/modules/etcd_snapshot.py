#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: etcd_snapshot
short_description: Save a verified snapshot of an etcd member's whole keyspace to a file
version_added: 1.1.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - Streams a snapshot of the whole keyspace from the first of O(endpoints) that answers (etcd's
    C(Maintenance.Snapshot), as C(etcdctl snapshot save) does) through the collection's client, and saves it as
    O(dest). C(etcdutl snapshot restore) turns such a file into a new cluster's data.
  - The snapshot is written to a temporary file in the directory of O(dest), with mode 0600 and owned by the user
    the module runs as (root with C(become)), and checked before it is renamed to O(dest), so O(dest) is never a
    partial file. The check is the one C(etcdutl snapshot restore) makes - the file must end with the sha256 of the
    bytes before it, which etcd appends - and, with O(etcdutl), C(etcdutl snapshot status) must also read it.
  - An existing O(dest) is replaced. Every run takes a new snapshot, so the module always reports a change.
  - The snapshot holds the whole keyspace, the auth store (users, password hashes, roles) included, so the module
    returns no digest of it, and the password is a module parameter only, never put on a command line or in the
    environment.
extends_documentation_fragment:
  - overlaynet.flannel.etcd
  - overlaynet.flannel.attributes
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Connects to etcd and checks O(dest) and O(etcdutl), writes nothing and reports a change.
  diff_mode:
    support: none
options:
  dest:
    description:
      - The file to save the snapshot as. Its directory must exist.
    type: path
    required: true
  etcdutl:
    description:
      - The path of C(etcdutl). When given, C(etcdutl snapshot status) must read the new file before it is kept, and
        its revision, key count and database size are returned.
      - Without it the snapshot is still checked against its sha256 trailer.
    type: path
  snapshot_timeout:
    description:
      - Seconds the whole transfer of the snapshot may take (O(timeout) applies to connecting).
    type: float
    default: 600
seealso:
  - module: overlaynet.flannel.etcd_cluster_info
  - name: etcd's disaster recovery guide
    description: Snapshot, verify and restore a cluster.
    link: https://etcd.io/docs/v3.6/op-guide/recovery/
'''

EXAMPLES = r'''
- name: Save a snapshot of the local member, as the member itself (its certificate) and root
  overlaynet.flannel.etcd_snapshot:
    endpoints: ['https://127.0.0.1:2379']
    ca_cert: /etc/etcd/pki/ca.crt
    client_cert: /etc/etcd/pki/member.crt
    client_key: /etc/etcd/pki/member.key
    user: root
    password: "{{ etcd_root_password }}"
    dest: /var/lib/etcd/snapshots/before-change.db
    etcdutl: /usr/local/bin/etcdutl
  register: etcd_saved

- name: Show what the snapshot holds
  ansible.builtin.debug:
    msg: "{{ etcd_saved.dest }}: revision {{ etcd_saved.revision }}, {{ etcd_saved.total_keys }} keys"
'''

RETURN = r'''
dest:
  description: The snapshot file.
  returned: always
  type: str
  sample: /var/lib/etcd/snapshots/before-change.db
endpoint:
  description: The etcd endpoint the snapshot came from.
  returned: success
  type: str
  sample: https://127.0.0.1:2379
verified:
  description: Whether the file was checked (its sha256 trailer, and C(etcdutl snapshot status) with O(etcdutl)); false in check mode.
  returned: success
  type: bool
  sample: true
size:
  description: The size of the file in bytes; null in check mode.
  returned: success
  type: int
  sample: 20512
revision:
  description: The keyspace's revision in the snapshot, as C(etcdutl snapshot status) reads it; null without O(etcdutl) and in check mode.
  returned: success
  type: int
  sample: 42
total_keys:
  description:
    - The number of keys in the database, as C(etcdutl snapshot status) counts them (etcd 3.6 and later count none of
      their own, so an empty keyspace has 0).
    - Null without O(etcdutl) and in check mode.
  returned: success
  type: int
  sample: 11
total_size:
  description:
    - The size of the database in the snapshot (without the trailer), as C(etcdutl snapshot status) reads it.
    - Null without O(etcdutl) and in check mode.
  returned: success
  type: int
  sample: 20480
'''

import json
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd import (
    ETCD_CONNECTION_REQUIRED_TOGETHER,
    connected_client,
    etcd_argument_spec,
)
from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd_snapshot import SnapshotError, save


def etcdutl_status(module, etcdutl, path):
    """What `etcdutl snapshot status` reads in the file: revision, total_keys and total_size.

    etcdutl also prints a hash of the database; it is left out, as is every digest of the snapshot.
    """
    rc, out, err = module.run_command([etcdutl, 'snapshot', 'status', '--write-out', 'json', path])
    if rc != 0:
        raise SnapshotError('%s snapshot status cannot read the new snapshot (rc=%d): %s'
                            % (etcdutl, rc, (err or out).strip()))
    try:
        status = json.loads(out)
        return dict(revision=int(status['revision']), total_keys=int(status['totalKey']),
                    total_size=int(status['totalSize']))
    except (ValueError, TypeError, KeyError):
        raise SnapshotError('%s snapshot status --write-out json printed no status: %s' % (etcdutl, out.strip()))


def main():
    module = AnsibleModule(
        argument_spec=etcd_argument_spec(
            dest=dict(type='path', required=True),
            etcdutl=dict(type='path'),
            snapshot_timeout=dict(type='float', default=600.0),
        ),
        required_together=ETCD_CONNECTION_REQUIRED_TOGETHER,
        supports_check_mode=True,
    )
    params = module.params
    dest = params['dest']
    result = dict(changed=False, dest=dest, verified=False, size=None, revision=None, total_keys=None, total_size=None)
    # Bad input is refused before etcd is asked for anything.
    directory = os.path.dirname(os.path.abspath(dest))
    if os.path.isdir(dest):
        module.fail_json(msg='dest: %s is a directory: name the snapshot file' % dest, **result)
    if not os.path.isdir(directory):
        module.fail_json(msg='dest: the directory %s does not exist' % directory, **result)
    if params['etcdutl'] and not (os.path.isfile(params['etcdutl']) and os.access(params['etcdutl'], os.X_OK)):
        module.fail_json(msg='etcdutl: %s is not an executable file' % params['etcdutl'], **result)
    if params['snapshot_timeout'] <= 0:
        module.fail_json(msg='snapshot_timeout: %r must be a positive number of seconds' % params['snapshot_timeout'],
                         **result)

    def stream(handle):
        with connected_client(module) as client:
            result['endpoint'] = str(client.endpoint)
            client.snapshot(handle, params['snapshot_timeout'])

    def inspect(path):
        return etcdutl_status(module, params['etcdutl'], path) if params['etcdutl'] else {}

    if module.check_mode:
        # Only asks etcd whether it answers these options.
        with connected_client(module) as client:
            result['endpoint'] = str(client.endpoint)
    else:
        try:
            result['size'], found = save(stream, dest, inspect=inspect)
        except SnapshotError as exc:
            module.fail_json(msg='%s. %s was not changed.' % (exc, dest), **result)
        result.update(found, verified=True)
    # A new snapshot every time, also the one check mode predicts.
    result['changed'] = True
    module.exit_json(**result)


if __name__ == '__main__':
    main()
