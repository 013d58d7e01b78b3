#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: etcd_auth
short_description: Turn on etcd authentication with a root user and one user confined to a key prefix
version_added: 1.0.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - Converges etcd's users, roles and authentication (v3 API; one call manages the whole cluster).
  - The administrator O(user) exists with the C(root) role.
  - A role named O(prefix_user) may read and write the key range below O(prefix).
  - The user O(prefix_user) exists with the password O(prefix_password) and that role.
  - Authentication is on.
  - Works on a cluster whose authentication is still off (the first run) and on one where it is on. With
    authentication on, the module logs in as O(user); a stale O(prefix_password) is found by trying to log in
    as O(prefix_user), and then changed.
  - While authentication is off etcd checks no password, so the module sets both passwords before it turns
    authentication on.
  - Permissions the roles have beyond the one above, and other users and roles, are left alone.
extends_documentation_fragment:
  - overlaynet.flannel.etcd
  - overlaynet.flannel.attributes
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    details: Reads users, roles and the authentication state, and reports what a real run would change.
  diff_mode:
    details: Shows users with their roles, roles with their permissions, and whether authentication is on; never passwords.
options:
  user:
    description:
      - The administrator. The module logs in as this user when authentication is on, and makes sure it
        exists with the C(root) role (etcd's administrator role).
    type: str
    default: root
  password:
    description:
      - The administrator's password. Given to the user when the module creates it, or before it turns authentication on.
    type: str
    required: true
  prefix_user:
    description:
      - The user confined to O(prefix), for example V(flannel). A role of the same name carries its permission.
    type: str
    required: true
  prefix_password:
    description:
      - The password of O(prefix_user).
    type: str
    required: true
  prefix:
    description:
      - The key prefix O(prefix_user) may read and write (the range of all keys that start with it).
      - End it with V(/) so that V(/coreos.com/network/) does not also cover V(/coreos.com/network2).
    type: str
    required: true
notes:
  - etcd accepts the administrator's credentials only after it has checked them, so a wrong O(password) on a
    cluster whose authentication is on fails the module with C(auth_failed=true) before anything is read.
seealso:
  - module: overlaynet.flannel.etcd_cluster_info
  - name: etcd role-based access control
    description: How etcd users, roles and permissions work.
    link: https://etcd.io/docs/v3.5/op-guide/authentication/rbac/
'''

EXAMPLES = r'''
- name: Turn on authentication, with a flannel user confined to flannel's prefix
  overlaynet.flannel.etcd_auth:
    endpoints: ['https://127.0.0.1:2379']
    ca_cert: /etc/etcd/pki/ca.crt
    client_cert: /etc/etcd/pki/member.crt
    client_key: /etc/etcd/pki/member.key
    password: "{{ vault_etcd_root_password }}"
    prefix_user: flannel
    prefix_password: "{{ vault_etcd_flannel_password }}"
    prefix: /coreos.com/network/
  run_once: true
  no_log: true
'''

RETURN = r'''
auth_enabled:
  description: Whether authentication is on after the module (in check mode, after a real run).
  returned: success
  type: bool
  sample: true
users:
  description: Every user with its roles after the module (in check mode, as a real run would leave them).
  returned: success
  type: dict
  sample: {"flannel": ["flannel"], "root": ["root"]}
roles:
  description: Every role with its permissions after the module (in check mode, as a real run would leave them).
  returned: success
  type: dict
  sample: {"flannel": [{"type": "readwrite", "key": "/coreos.com/network/", "range_end": "/coreos.com/network0", "prefix": true}]}
actions:
  description: What the module did (in check mode, would do), in order; passwords are never shown.
  returned: success
  type: list
  elements: str
  sample: ["add user root", "grant role root to user root", "enable authentication"]
endpoint:
  description: The etcd endpoint that was used.
  returned: success
  type: str
  sample: https://127.0.0.1:2379
auth_failed:
  description: True when etcd refused the administrator's credentials (a wrong O(password)).
  returned: failure
  type: bool
  sample: true
'''

import copy

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.overlaynet.flannel.plugins.module_utils.etcd import (
    connected_client,
    etcd_argument_spec,
    prefix_range_end,
)

ROOT_ROLE = 'root'


def converge(client, admin, admin_password, name, password, prefix, check_mode):
    """Bring users, roles and authentication to the wanted state; return (actions, before, after).

    before/after are what diff shows: users with roles, roles with permissions, auth on or off,
    and for each user whether its password had to be set (never the password itself).
    """
    auth_on = bool(client.auth_enabled)
    users = client.users()
    roles = client.roles()
    before = dict(auth_enabled=auth_on, users=copy.deepcopy(users), roles=copy.deepcopy(roles))
    actions = []

    def do(action, func, *args):
        actions.append(action)
        if not check_mode:
            func(*args)

    def set_password(user, secret):
        # Diff shows that a password changes, never what it was or becomes.
        before.setdefault('passwords', {})[user] = 'stale' if auth_on else 'not checkable while authentication is off'
        passwords[user] = 'set'
        do('set the password of user %s' % user, client.user_change_password, user, secret)

    passwords = {}

    wanted_perm = dict(type='readwrite', key=prefix, range_end=prefix_range_end(prefix).decode('utf-8', 'replace'),
                       prefix=True)

    # The administrator: etcd turns authentication on only for a root user that holds the root role.
    if admin not in users:
        do('add user %s' % admin, client.user_add, admin, admin_password)
        users[admin] = []
    elif not auth_on:
        # Not checkable while authentication is off; set it so that turning it on cannot lock us out.
        set_password(admin, admin_password)
    if ROOT_ROLE not in users[admin]:
        do('grant role %s to user %s' % (ROOT_ROLE, admin), client.user_grant_role, admin, ROOT_ROLE)
        users[admin] = sorted(users[admin] + [ROOT_ROLE])

    if name not in roles:
        do('add role %s' % name, client.role_add, name)
        roles[name] = []
    if wanted_perm not in roles[name]:
        do('grant readwrite on prefix %s to role %s' % (prefix, name),
           client.role_grant_permission, name, 'readwrite', prefix, True)
        # etcd replaces a grant on the same range, whatever its type was.
        roles[name] = sorted([p for p in roles[name] if (p['key'], p['range_end']) != (prefix, wanted_perm['range_end'])]
                             + [wanted_perm], key=lambda p: (p['key'], p['range_end'], p['type']))

    if name not in users:
        do('add user %s' % name, client.user_add, name, password)
        users[name] = []
    elif not auth_on or not client.authenticates(name, password):
        set_password(name, password)
    if name not in users[name]:
        do('grant role %s to user %s' % (name, name), client.user_grant_role, name, name)
        users[name] = sorted(users[name] + [name])

    if not auth_on:
        do('enable authentication', client.auth_enable)

    after = dict(auth_enabled=True, users=users, roles=roles)
    if passwords:
        after['passwords'] = passwords
    return actions, before, after


def main():
    module = AnsibleModule(
        argument_spec=etcd_argument_spec(
            user=dict(type='str', default='root'),
            password=dict(type='str', required=True, no_log=True),
            prefix_user=dict(type='str', required=True),
            prefix_password=dict(type='str', required=True, no_log=True),
            prefix=dict(type='str', required=True, no_log=False),
        ),
        required_together=[('client_cert', 'client_key')],
        supports_check_mode=True,
    )
    params = module.params
    for option in ('user', 'password', 'prefix_user', 'prefix_password', 'prefix'):
        if not params[option]:
            module.fail_json(msg='%s: must not be empty' % option)
    if params['prefix_user'] == params['user']:
        module.fail_json(msg='prefix_user: %r is the administrator (user); give the confined user another name'
                         % params['prefix_user'])

    with connected_client(module, report_auth_failed=True, auth_optional=True) as client:
        actions, before, after = converge(client, params['user'], params['password'], params['prefix_user'],
                                          params['prefix_password'], params['prefix'], module.check_mode)
        endpoint = str(client.endpoint)

    result = dict(changed=bool(actions), actions=actions, endpoint=endpoint, auth_enabled=after['auth_enabled'],
                  users=after['users'], roles=after['roles'])
    if module._diff:
        result['diff'] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
