# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""etcd's rules for changing the version of a running cluster, and for the settings a version takes.

Plain values in, messages out: the etcd role's checks (preflight.yml for site.yml, upgrade_checks.yml
for upgrade.yml) hand over what they read and show what comes back, so every rule lives here once and
is tested directly.

Where the rules come from (etcd's own documentation, etcd-io/website):
  - content/en/docs/v3.6/upgrades/upgrading-etcd.md: one minor version at a time, patch releases in
    any order within a minor version;
  - content/en/docs/v3.6/upgrades/upgrade_3_6.md: every 3.5 member on 3.5.32 or later before 3.6;
    the v2 store free of anything but membership, checked with `etcdutl check v2store` (of 3.5.32 or
    later, which also reads the WAL); the flags 3.6 removed, and the --experimental-* flags it renamed
    or turned into feature gates;
  - content/en/docs/v3.7/upgrades/upgrade_3_7.md: every 3.6 member on 3.6.11 or later before 3.7;
    3.7 knows no --experimental-* flag at all.
The role gives etcd its settings as ETCD_* environment variables. etcd 3.6 and 3.7 do not fail on a
variable they no longer know: they log "unrecognized environment variable" and start without it, so
the setting is lost quietly. That is why such variables are refused before the switch.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.overlaynet.flannel.plugins.module_utils.release import version_numbers

# (major, minor) of the target -> the lowest patch of the minor version before it that etcd's upgrade
# guide for the target allows every member to run before the step.
MINIMUM_PATCH_BEFORE = {
    (3, 6): (3, 5, 32),
    (3, 7): (3, 6, 11),
}

# Flags 3.6 removed with nothing in their place (3.6 upgrade guide, "Flags removed"). The v2 API and
# the v2 emulation went with the v2 store, the proxy mode with the v2 discovery fallback.
REMOVED_IN_3_6 = {
    'enable-v2': 'the v2 API',
    'experimental-enable-v2v3': 'the v2 emulation',
    'proxy': 'the proxy mode',
    'proxy-failure-wait': 'the proxy mode',
    'proxy-refresh-interval': 'the proxy mode',
    'proxy-dial-timeout': 'the proxy mode',
    'proxy-write-timeout': 'the proxy mode',
    'proxy-read-timeout': 'the proxy mode',
}

# The --experimental-* flags of 3.5 and what 3.6 calls them (3.6 upgrade guide, "Flags deprecated" and
# "Equivalent flags of v3.5 feature gates"): a flag of its own, or a feature gate (a name alone).
# 3.6 takes both spellings; 3.7 removed every --experimental-* flag.
EXPERIMENTAL_RENAMED = {
    'experimental-bootstrap-defrag-threshold-megabytes': 'bootstrap-defrag-threshold-megabytes',
    'experimental-compaction-batch-limit': 'compaction-batch-limit',
    'experimental-compact-hash-check-time': 'compact-hash-check-time',
    'experimental-compaction-sleep-interval': 'compaction-sleep-interval',
    'experimental-corrupt-check-time': 'corrupt-check-time',
    'experimental-enable-distributed-tracing': 'enable-distributed-tracing',
    'experimental-distributed-tracing-address': 'distributed-tracing-address',
    'experimental-distributed-tracing-instance-id': 'distributed-tracing-instance-id',
    'experimental-distributed-tracing-sampling-rate': 'distributed-tracing-sampling-rate',
    'experimental-distributed-tracing-service-name': 'distributed-tracing-service-name',
    'experimental-downgrade-check-time': 'downgrade-check-time',
    'experimental-max-learners': 'max-learners',
    'experimental-memory-mlock': 'memory-mlock',
    'experimental-peer-skip-client-san-verification': 'peer-skip-client-san-verification',
    'experimental-snapshot-catchup-entries': 'snapshot-catchup-entries',
    'experimental-warning-apply-duration': 'warning-apply-duration',
    'experimental-warning-unary-request-duration': 'warning-unary-request-duration',
    'experimental-watch-progress-notify-interval': 'watch-progress-notify-interval',
}
EXPERIMENTAL_FEATURE_GATES = {
    'experimental-compact-hash-check-enabled': 'CompactHashCheck',
    'experimental-initial-corrupt-check': 'InitialCorruptCheck',
    'experimental-enable-lease-checkpoint': 'LeaseCheckpoint',
    'experimental-enable-lease-checkpoint-persist': 'LeaseCheckpointPersist',
    'experimental-stop-grpc-service-on-defrag': 'StopGRPCServiceOnDefrag',
    'experimental-txn-mode-write-with-shared-buffer': 'TxnModeWriteWithSharedBuffer',
}

# What `etcdutl check v2store` prints (3.5.32 and later): on stdout when the data is clean, in its
# error otherwise.
V2STORE_CLEAN = 'No custom content found'
V2STORE_IN_SNAPSHOT = 'custom content in v2store'
V2STORE_IN_WAL = 'custom v2 content in WAL records'
V2STORE_IN_BOTH = 'custom v2 content in both v2store and WAL records'

# The first etcd minor version the project still supports (3.4 has been end of life since 15 May 2026,
# etcd's blog post on the 3.7.0 beta); and what the role installs by default.
OLDEST_SUPPORTED = (3, 5)
DEFAULT_VERSION = 'v3.6.16'

_REPORTED_RE = re.compile(r'etcd Version: (\d+)\.(\d+)\.(\d+)')
_FORCE = 'Set etcd_upgrade_force=true to do it anyway.'
_UNCHANGED = 'Nothing was changed.'


def as_bool(value):
    """A boolean as Ansible passes one (True, 'true', 'yes', ...)."""
    return value is True or str(value).strip().lower() in ('true', 'yes', 'on', '1')


def version_tuple(version):
    """'v3.5.1' or '3.5.1' -> (3, 5, 1); anything else -> None (module_utils/release.py's rule)."""
    return version_numbers(version)


def _v(version):
    return 'v%d.%d.%d' % version


def _mm(version):
    return '%d.%d' % version[:2]


def _and(items):
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    return ', '.join(items[:-1]) + ' and ' + items[-1] if len(items) > 1 else ''.join(items)


def selected_versions(members, archive_dir):
    """{member: version} from what update-alternatives selects for etcd on each member.

    members maps a member to its selected path ('/opt/etcd/v3.5.35/etcd') or to nothing; a member
    that selects nothing, or a binary outside archive_dir/<version>/, is left out (it is new, or not
    installed from the archive).
    """
    found = {}
    parent = os.path.normpath(archive_dir or '/opt/etcd')
    for member, path in sorted((members or {}).items()):
        if not path:
            continue
        version_dir = os.path.dirname(os.path.normpath(path))
        if os.path.dirname(version_dir) != parent:
            continue
        version = version_tuple(os.path.basename(version_dir))
        if version:
            found[member] = _v(version)
    return found


def _running(members):
    """[(member, version tuple)] of the members whose version is known, in member order."""
    pairs = []
    for member, version in sorted((members or {}).items()):
        parsed = version_tuple(version)
        if parsed:
            pairs.append((member, parsed))
    return pairs


def step_refusal(target, members):
    """Why etcd cannot move the members (member -> version) to target, or None when it can.

    Patch releases of one minor version may follow each other in any order; a minor version may go
    up by one, once every member runs the lowest patch etcd's upgrade guide names for that step.
    """
    goal = version_tuple(target)
    running = _running(members)
    if goal is None or not running:
        return None
    versions = sorted(version for _member, version in running)
    lowest, highest = versions[0], versions[-1]
    intro = 'etcd_version: %s is not a step etcd can take from what the members run (%s): ' % (
        _v(goal), ', '.join('%s %s' % (member, _v(version)) for member, version in running))
    if not goal[0] == lowest[0] == highest[0]:
        reason = 'it changes the major version.'
    elif goal[1] < highest[1] and goal[:2] != lowest[:2]:
        # While some member still runs the older minor version, the cluster works at that version and the
        # upgraded members may go back to it (the rollback of etcd's upgrade guides); afterwards they may not.
        reason = ('it downgrades across a minor version (%s -> %s); etcd only does that through its own downgrade '
                  'procedure (etcdctl downgrade) or a restore from a snapshot.' % (_mm(highest), _mm(goal)))
    elif goal[1] > lowest[1] + 1:
        reason = ('it skips a minor version (%s -> %s); etcd upgrades one minor version at a time (3.4 -> 3.5 -> 3.6 '
                  '-> 3.7), so go to the latest v%d.%d.x first.' % (_mm(lowest), _mm(goal), lowest[0], lowest[1] + 1))
    else:
        floor = MINIMUM_PATCH_BEFORE.get(goal[:2])
        behind = [(member, version) for member, version in running
                  if floor and version[:2] == floor[:2] and version < floor]
        if not behind:
            return None
        lagging = ['%s runs %s' % (member, _v(version)) for member, version in behind]
        reason = ('etcd\'s %s -> %s upgrade guide asks every member to run %s or later first, and %s. Upgrade %s to the '
                  'latest v%s.x first (%s or later: playbooks/upgrade.yml -e etcd_version=v%s.<N>), then to %s.'
                  % (_mm(floor), _mm(goal), _v(floor), _and(lagging), 'it' if len(behind) == 1 else 'them',
                     _mm(floor), _v(floor), _mm(floor), _v(goal)))
    return intro + reason + ' ' + _FORCE + ' ' + _UNCHANGED


def env_flag(name):
    """ETCD_MAX_LEARNERS -> 'max-learners' (etcd reads --flag-name from ETCD_FLAG_NAME); None otherwise."""
    name = str(name)
    if not name.startswith('ETCD_') or len(name) == len('ETCD_'):
        return None
    return name[len('ETCD_'):].lower().replace('_', '-')


def flag_env(flag):
    """'max-learners' -> 'ETCD_MAX_LEARNERS'."""
    return 'ETCD_' + flag.upper().replace('-', '_')


def settings_refusals(target, settings):
    """What etcd `target` would not take among settings ({where: {ETCD_NAME: value}}), as messages.

    where names the source in the message: 'etcd_extra_env' (what site.yml writes) or the settings
    file of a member (what upgrade.yml restarts it with).
    """
    goal = version_tuple(target)
    if goal is None or goal[:2] < (3, 6):
        return []
    messages = []
    for where, env in sorted((settings or {}).items()):
        removed, renamed, gates = [], [], []
        for name, value in sorted((env or {}).items()):
            flag = env_flag(name)
            if flag in REMOVED_IN_3_6:
                removed.append('%s (--%s, %s)' % (name, flag, REMOVED_IN_3_6[flag]))
            elif goal[:2] >= (3, 7) and flag in EXPERIMENTAL_RENAMED:
                renamed.append('%s -> %s' % (name, flag_env(EXPERIMENTAL_RENAMED[flag])))
            elif goal[:2] >= (3, 7) and flag in EXPERIMENTAL_FEATURE_GATES:
                gates.append((name, '%s=%s' % (EXPERIMENTAL_FEATURE_GATES[flag], str(value).strip().lower())))
            elif goal[:2] >= (3, 7) and flag and flag.startswith('experimental-'):
                renamed.append('%s (etcd names no replacement: remove it)' % name)
        if not (removed or renamed or gates):
            continue
        parts = []
        if removed:
            them = 'it' if len(removed) == 1 else 'them'
            parts.append('%s: etcd 3.6 removed %s, so etcd %s would start without %s; remove %s.'
                         % (where, _and(removed), _v(goal), them, them))
        if renamed or gates:
            moves = renamed + ['%s -> ETCD_FEATURE_GATES=%s' % (name, gate) for name, gate in gates]
            if len(gates) > 1:
                moves.append('(one ETCD_FEATURE_GATES=%s for them all)' % ','.join(gate for _name, gate in gates))
            parts.append('%s: etcd %s has no --experimental-* flags any more and would start without %s; use the names '
                         'etcd 3.6 already takes instead: %s.' % (
                             where, _v(goal), 'it' if len(renamed) + len(gates) == 1 else 'them', '; '.join(moves)))
        messages.append(' '.join(parts) + ' ' + _UNCHANGED)
    return messages


def v2store_check_needed(target, members):
    """True when the step to target takes a member from before 3.6 to 3.6 or later."""
    goal = version_tuple(target)
    return bool(goal and goal[:2] >= (3, 6) and any(version[:2] < (3, 6) for _member, version in _running(members)))


def v2store_refusal(results):
    """Why the v2 store keeps a member from 3.6, from each member's `etcdutl check v2store` result.

    results maps a member to {'rc', 'stdout', 'stderr'} as a command task registers it (a skipped
    result is left out). None when every member's v2 store is clean.
    """
    problems, kinds = [], set()
    for member, result in sorted((results or {}).items()):
        if not isinstance(result, dict) or result.get('skipped') or 'rc' not in result:
            continue
        out = ('%s\n%s' % (result.get('stdout') or '', result.get('stderr') or '')).strip()
        if result.get('rc') == 0 and V2STORE_CLEAN in out:
            continue
        in_snapshot = V2STORE_IN_BOTH in out or V2STORE_IN_SNAPSHOT in out
        in_wal = V2STORE_IN_BOTH in out or V2STORE_IN_WAL in out
        if in_snapshot:
            kinds.add('snapshot')
        if in_wal:
            kinds.add('wal')
        if in_snapshot and in_wal:
            problems.append('%s has v2 keys in its v2 snapshot and v2 requests in its WAL' % member)
        elif in_snapshot:
            problems.append('%s has v2 keys in its v2 snapshot' % member)
        elif in_wal:
            problems.append('%s has v2 requests in its WAL' % member)
        else:
            kinds.add('unknown')
            last = out.splitlines()[-1] if out else '(no output)'
            problems.append('%s could not be checked (exit code %s: %s)' % (member, result.get('rc'), last))
    if not problems:
        return None
    # Checked with etcd 3.5.35 (tests/unit/plugins/module_utils/test_etcd_upgrade.py): a v2 snapshot drops the WAL's
    # v2 requests, but a v2 key that still exists is then in the snapshot, so keys go first, then a snapshot.
    snapshot = ('force a v2 snapshot (etcd_extra_env {ETCD_SNAPSHOT_COUNT: "1"} with site.yml, a few writes, then the '
                'old value and site.yml again) or wait for one')
    ways = []
    if 'snapshot' in kinds:
        ways.append('for v2 keys, move what you still need to the v3 API (etcd\'s v2 migration guide), delete the v2 '
                    'keys through the v2 API (ETCD_ENABLE_V2: "true" in etcd_extra_env while you do), then %s; etcd\'s '
                    '3.6 upgrade guide (section "V2 Store") names other ways' % snapshot)
    if 'wal' in kinds:
        ways.append('for v2 requests in the WAL, delete any v2 key that still exists (as above), then %s: the snapshot '
                    'drops them' % snapshot)
    if 'unknown' in kinds:
        ways.append('for a member that could not be checked, run `etcdutl check v2store --data-dir <etcd_data_dir>` '
                    'there (etcdutl v3.5.32 or later: older ones do not read the WAL) and see why')
    return ('etcd_version: etcd 3.6 does not start on a data directory whose v2 store holds more than the cluster\'s '
            'membership, so upgrade.yml checks it (etcdutl check v2store) before the step to 3.6: %s. Before going to '
            '3.6: %s; then run upgrade.yml again. %s' % ('; '.join(problems), '; '.join(ways), _UNCHANGED))


def upgrade_plan(target, members, settings=None, force=False, v2store=None):
    """upgrade.yml's checks in one answer: {'refusals': [...], 'check_v2store': bool}.

    Called twice by upgrade_checks.yml: first without v2store (check_v2store then says whether the
    members must run `etcdutl check v2store`), then with their results. force (etcd_upgrade_force)
    skips the version step rules only: settings etcd would drop and a v2 store it would not start on
    are refused either way.
    """
    refusals = []
    step = None if force else step_refusal(target, members)
    if step:
        refusals.append(step)
    refusals.extend(settings_refusals(target, settings))
    check = not refusals and v2store_check_needed(target, members)
    if check and v2store is not None:
        v2 = v2store_refusal(v2store)
        if v2:
            refusals.append(v2)
    return {'refusals': refusals, 'check_v2store': check}


def site_refusals(target, members, settings=None, force=False):
    """site.yml's version checks, from the versions the members select (no call to etcd).

    The step rules as for upgrade.yml; and a running cluster goes from 3.5 to 3.6 through upgrade.yml
    only, because only upgrade.yml checks the v2 store first.
    """
    refusals = []
    if not force:
        step = step_refusal(target, members)
        if step:
            refusals.append(step)
        elif v2store_check_needed(target, members):
            refusals.append(
                'etcd_version: %s takes members from 3.5 to 3.6 (%s). site.yml does not make that step: etcd 3.6 '
                'refuses to start on a v2 store with more than membership in it, and playbooks/upgrade.yml checks '
                'every member for that first (then switches them one at a time after a snapshot). Run '
                'playbooks/upgrade.yml -e etcd_version=%s, or keep etcd_version at what the members run. %s %s'
                % (_v(version_tuple(target)), ', '.join('%s %s' % (m, _v(v)) for m, v in _running(members)
                                                        if v[:2] < (3, 6)),
                   _v(version_tuple(target)), _FORCE, _UNCHANGED))
    refusals.extend(settings_refusals(target, settings))
    return refusals


def package_warning(version_output, package_names=None):
    """A warning when a distribution's package installed an etcd that is end of life, else ''.

    version_output is what `etcd --version` printed.
    """
    match = _REPORTED_RE.search(str(version_output or ''))
    if not match:
        return ''
    version = tuple(int(n) for n in match.groups())
    if version[:2] >= OLDEST_SUPPORTED:
        return ''
    packages = ', '.join(package_names or []) or "the distribution's etcd package"
    return ('WARNING: etcd_install_method=package installed etcd %d.%d.%d (%s), and etcd %s is end of life: it gets no '
            'fixes, security fixes included (etcd supports 3.5, 3.6 and 3.7; 3.4 ended on 15 May 2026). Use the release '
            'archive instead: etcd_install_method=archive with etcd_version (the role\'s default is %s, where a new '
            'cluster can start). A cluster that already runs %s must pass through 3.5 first, as etcd upgrades one minor '
            'version at a time: etcd_version=v3.5.N (the latest 3.5, at least v3.5.32), then playbooks/upgrade.yml -e '
            'etcd_version=%s; with authentication on, etcd\'s 3.4 -> 3.5 guide rules out a rolling upgrade.'
            % (version + (packages, _mm(version), DEFAULT_VERSION, _mm(version), DEFAULT_VERSION)))
