#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: release
short_description: Install a release archive into its own version directory and select it with update-alternatives
version_added: 1.0.0
author:
  - overlaynet.flannel contributors (@overlaynet)
description:
  - Installs version O(version) of a program shipped as a tar archive into C(<install_dir>/<version>/) and selects it
    with update-alternatives in manual mode, so versions live side by side and an older one stays selected after a
    rollback.
  - When that directory already holds the binaries, nothing is transferred or downloaded; the module then only checks
    the binary's version and the selection, in one call.
  - The archive comes from the controller (O(src), copied only when the version is not installed yet), from the host
    (O(src) with O(remote_src=true)) or from O(url). Its sha256 is verified before anything is unpacked.
  - The archive is unpacked into a temporary directory beside the version directory, the binary must report O(version)
    for C(--version), and only then the directory is renamed into place. A failure leaves no version directory behind.
  - The alternatives priority is C(X*1000000 + Y*1000 + Z) for vX.Y.Z, so update-alternatives' automatic mode would
    prefer the newest version; the module itself always selects O(version).
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
    details: The action plugin copies O(src) from the controller only when the version is not installed yet.
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Reports whether it would unpack and what it would select, without transferring, downloading or changing anything.
  diff_mode:
    support: full
    details: Shows the selected path before and after, and the directory that would be unpacked.
  platform:
    platforms: posix
options:
  name:
    description:
      - The alternatives group, which is also the file name of the main binary in the archive, for example V(flanneld)
        or V(etcd).
    type: str
    required: true
  version:
    description:
      - The release, as vX.Y.Z with each number below 1000, for example V(v0.28.10).
      - "The main binary must report it for C(--version): V(v0.28.10) and C(etcd Version: 3.5.1) both match."
    type: str
    required: true
  install_dir:
    description:
      - Every version gets the directory C(<install_dir>/<version>).
    type: path
    required: true
  link:
    description:
      - Where the selected main binary appears, for example V(/usr/bin/flanneld).
    type: path
    required: true
  slaves:
    description:
      - Further binaries of the archive that switch together with the main one. Each is linked beside O(link) under its
        own name, for example V(etcdctl) as C(/usr/local/bin/etcdctl).
    type: list
    elements: str
    default: []
  strip_components:
    description:
      - Leading directories of the archive's paths to drop, like C(tar --strip-components). V(1) for etcd's archives
        (C(etcd-vX.Y.Z-linux-amd64/)), V(0) for flannel's.
    type: int
    default: 0
  src:
    description:
      - The archive on the controller, copied to the host only when the version is not installed yet.
      - With O(remote_src=true) a path on the host instead.
      - Mutually exclusive with O(url).
    type: path
  remote_src:
    description:
      - Whether O(src) is on the host rather than on the controller.
    type: bool
    default: false
  url:
    description:
      - Where the host downloads the archive from (V(https://), V(http://) or V(file://)), only when the version is not
        installed yet.
    type: str
  checksum:
    description:
      - The archive's sha256 in hex, optionally prefixed V(sha256:).
      - Checked on the controller before O(src) is copied, and on the host before unpacking.
      - Without O(checksum) and O(checksum_url) the archive is not verified.
    type: str
  selected:
    description:
      - What the alternatives group selects now, as M(overlaynet.flannel.host_info) reports it (RV(overlaynet.flannel.host_info#module:alternatives)).
      - When that is already the main binary of O(version), the action plugin answers without running anything on the
        host, so a role that read the host once pays no further round trip. The binary's version, the priority and
        the selection mode are then not checked again.
    type: str
  checksum_url:
    description:
      - A checksum list (C(SHA256SUMS) or C(<archive>.sha256), as C(sha256sum) writes them) with the archive's line,
        read by the host. Used when O(checksum) is not given.
    type: str
  checksum_label:
    description:
      - What messages call the checksum, for example the variable it came from (V(etcd_archive_checksum)), so an
        error names what to fix.
    type: str
    default: checksum
  timeout:
    description:
      - Seconds to wait for the download to respond.
    type: int
    default: 30
  altdir:
    description:
      - update-alternatives' C(--altdir). For tests and other layouts; by default the system's.
    type: path
  admindir:
    description:
      - update-alternatives' C(--admindir). For tests and other layouts; by default the system's.
    type: path
notes:
  - Files are unpacked owned by root when the module runs as root, whatever the archive says.
  - An existing version directory is never replaced when its binary reports another version; the module fails instead.
seealso:
  - module: community.general.alternatives
'''

EXAMPLES = r'''
- name: Install flanneld from an archive on the controller and select it
  overlaynet.flannel.release:
    name: flanneld
    version: v0.28.10
    install_dir: /opt/flannel
    link: /usr/bin/flanneld
    slaves: [mk-docker-opts.sh]
    src: files/flannel-v0.28.10-linux-amd64.tar.gz
    checksum: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    checksum_label: flannel_archive_checksum

- name: Download etcd, verified against the release's SHA256SUMS, and select it
  overlaynet.flannel.release:
    name: etcd
    version: v3.5.35
    install_dir: /opt/etcd
    link: /usr/local/bin/etcd
    slaves: [etcdctl, etcdutl]
    strip_components: 1
    url: https://github.com/etcd-io/etcd/releases/download/v3.5.35/etcd-v3.5.35-linux-amd64.tar.gz
    checksum_url: https://github.com/etcd-io/etcd/releases/download/v3.5.35/SHA256SUMS
    checksum_label: etcd_archive_checksum_url
'''

RETURN = r'''
version_dir:
  description: The directory of O(version).
  returned: always
  type: str
  sample: /opt/flannel/v0.28.10
path:
  description: The main binary of O(version), the path selected in the alternatives group.
  returned: always
  type: str
  sample: /opt/flannel/v0.28.10/flanneld
previous:
  description: The path the group pointed to before (null when the group did not exist).
  returned: always
  type: str
  sample: /opt/flannel/v0.28.4/flanneld
priority:
  description: The alternatives priority of O(version).
  returned: always
  type: int
  sample: 28010
unpacked:
  description: Whether the version directory was (or in check mode would be) unpacked.
  returned: always
  type: bool
switched:
  description:
    - Whether the selected binary is (or would be) another file than before, because another version is selected or the
      version directory was unpacked. A service running the binary needs a restart then; other changes (a priority or
      the selection mode) do not.
  returned: always
  type: bool
host_calls:
  description:
    - How many module calls the action plugin made on the host - V(0) when it answered from O(selected), V(2) when it
      copied the archive.
  returned: always
  type: int
  sample: 1
archive_needed:
  description: The version is not installed and O(src) is on the controller; the action plugin then copies it and calls again.
  returned: when the module runs without its action plugin's copy of O(src)
  type: bool
'''

import os
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.urls import fetch_url

from ansible_collections.overlaynet.flannel.plugins.module_utils.release import (
    Alternatives,
    ReleaseError,
    check_version,
    checksum_from_list,
    install_version,
    installed,
    module_runner,
    normalize_sha256,
    priority,
    verify_sha256,
)


def download(module, url, dest):
    response, info = fetch_url(module, url, timeout=module.params['timeout'])
    if response is None or (info.get('status') != 200 and not url.startswith('file:')):
        raise ReleaseError('%s could not be downloaded: %s' % (url, info.get('msg', info.get('status'))))
    with open(dest, 'wb') as f:
        shutil.copyfileobj(response, f, 1 << 20)


def expected_sha256(module, archive_name):
    params = module.params
    if params['checksum']:
        return normalize_sha256(params['checksum'], params['checksum_label'])
    if params['checksum_url']:
        response, info = fetch_url(module, params['checksum_url'], timeout=params['timeout'])
        if response is None:
            raise ReleaseError('%s: %s could not be read: %s' % (params['checksum_label'], params['checksum_url'], info.get('msg')))
        text = response.read().decode('utf-8', 'replace')
        return checksum_from_list(text, archive_name, '%s (%s)' % (params['checksum_label'], params['checksum_url']))
    return None


def fetch_and_install(module, version_dir, binaries):
    """Verify the archive (downloaded first when it comes from url), then unpack it; raises ReleaseError."""
    params = module.params
    archive = params['src'] or params['url']
    archive_name = os.path.basename(archive.split('?')[0])
    expected = expected_sha256(module, archive_name)
    if not os.path.isdir(params['install_dir']):
        os.makedirs(params['install_dir'], 0o755)
    staging = tempfile.mkdtemp(prefix='.%s.download.' % params['version'], dir=params['install_dir'])
    try:
        path = params['src']
        if params['url']:
            path = os.path.join(staging, archive_name)
            download(module, params['url'], path)
        if not os.path.isfile(path):
            raise ReleaseError('src: %s does not exist on the host.' % path)
        if expected:
            verify_sha256(path, expected, params['checksum_label'], archive)
        install_version(path, version_dir, params['version'], binaries, module_runner(module), params['strip_components'])
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True),
            version=dict(type='str', required=True),
            install_dir=dict(type='path', required=True),
            link=dict(type='path', required=True),
            slaves=dict(type='list', elements='str', default=[]),
            strip_components=dict(type='int', default=0),
            src=dict(type='path'),
            remote_src=dict(type='bool', default=False),
            url=dict(type='str'),
            checksum=dict(type='str'),
            checksum_url=dict(type='str'),
            checksum_label=dict(type='str', default='checksum'),
            timeout=dict(type='int', default=30),
            altdir=dict(type='path'),
            admindir=dict(type='path'),
            selected=dict(type='str'),
        ),
        mutually_exclusive=[('src', 'url')],
        supports_check_mode=True,
    )
    params = module.params
    name = params['name']
    binaries = [name] + params['slaves']
    version_dir = os.path.join(params['install_dir'], params['version'])
    path = os.path.join(version_dir, name)
    link_dir = os.path.dirname(params['link'])
    slaves = [(s, os.path.join(link_dir, s), os.path.join(version_dir, s)) for s in params['slaves']]
    result = dict(changed=False, version_dir=version_dir, path=path, unpacked=False, switched=False)

    if params['src'] and not params['remote_src']:
        # The action plugin hands over its copy with remote_src=true; a controller path means it did not run.
        module.fail_json(msg='src: %s is a controller path, which only the release action plugin can copy.' % params['src'])
    try:
        result['priority'] = prio = priority(params['version'])
        alternatives = Alternatives(module.get_bin_path('update-alternatives') or module.get_bin_path('alternatives', required=True),
                                    module_runner(module), params['altdir'], params['admindir'])
        group = alternatives.display(name) or {'link': None, 'mode': None, 'current': None, 'slave_links': {}, 'entries': {}}
        result['previous'] = group['current']

        have = installed(version_dir, binaries)
        if have:
            # Cheap and local: catches a directory someone filled with another release.
            check_version(path, params['version'], module_runner(module))
        elif not (params['src'] or params['url']):
            if params['remote_src']:
                module.fail_json(msg='%s %s is not installed in %s and neither src nor url is given.'
                                 % (name, params['version'], version_dir), **result)
            result['archive_needed'] = not module.check_mode
        result['unpacked'] = not have

        entry = group['entries'].get(path)
        registered = (entry is not None and entry['priority'] == prio
                      and entry['slaves'] == dict((s, p) for s, _l, p in slaves)
                      and group['link'] == params['link']
                      and all(group['slave_links'].get(s) == link for s, link, _p in slaves))
        selected = group['current'] == path and group['mode'] == 'manual'
        result['switched'] = not have or group['current'] != path
        result['changed'] = not (have and registered and selected)

        if module._diff:
            result['diff'] = dict(
                before='selected: %s\n' % group['current'],
                after='selected: %s\n%s' % (path, ('unpacked: %s\n' % version_dir) if not have else ''),
            )
        if result.get('archive_needed') or module.check_mode or not result['changed']:
            module.exit_json(**result)

        # Until something is done, a failure has changed nothing.
        result['changed'] = False
        if not have:
            fetch_and_install(module, version_dir, binaries)
        result['changed'] = True
        if not registered:
            alternatives.install(name, params['link'], path, prio, slaves)
        if not selected:
            alternatives.select(name, path)
    except ReleaseError as exc:
        module.fail_json(msg=str(exc), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
