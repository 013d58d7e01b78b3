# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Who is a member of the etcd cluster, and what each member of the inventory must do: asked of the live
cluster (its member list), not read from the members' data directories alone.

plan() is the one place that decides, for every member of the etcd group:
  member   it has data and the cluster lists it (or no cluster answered): it keeps its settings;
  new      no member has data and no cluster answered: the members start together as a new cluster;
  join     no data, the cluster does not list it (or lists it as announced, not started): it is added as a
           learner, started, and promoted once it caught up, one member after the other;
  rejoin   no data, but the cluster lists it as a started member: its data is gone (a replaced disk, a new
           etcd_data_dir); it is removed, then joins like a new member, while the other members keep the data;
and what would lose the cluster's data, which is refused (refusals) before anything changes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def _peer_url(scheme, address, port):
    return '%s://%s:%s' % (scheme, address, port)


def _find(live, name, peer_url):
    for member in live:
        if peer_url in member.get('peer_urls', []):
            return member
    for member in live:
        if name and member.get('name') == name:
            return member
    return None


def plan(members, live, scheme='http', peer_port=2380, reports=None):
    """members: the etcd group in inventory order, each dict(host, name, address, client_url, has_data,
    previous_state, previous_initial_cluster, settings_file) - previous_* from the member's settings file.
    live: the cluster's member list (dicts with id, name, peer_urls, is_learner), or None when no member
    answered. reports: etcd_cluster_info's cluster reports (endpoint, healthy): a member is healthy when its
    client URL served a linearizable read (without reports, the members' own healthy key says).

    Returns dict(hosts={host: dict(action, state, initial_cluster, member_id)}, refusals={host: [msg]},
    joining=[hosts in the order they join], via=the member that announces them)."""
    hosts, refusals, joining = {}, {}, []
    if reports is not None:
        answered = set(report['endpoint'] for report in reports if report.get('healthy'))
        members = [dict(m, healthy=m.get('client_url') in answered) for m in members]
    # What the cluster will list after each join, in order: a joiner's initial cluster is the members listed
    # when it is added (etcd refuses a member whose ETCD_INITIAL_CLUSTER differs from the cluster's list).
    listed = []
    if live is not None:
        listed = [(m['name'] or '', m['peer_urls'][0]) for m in live if m.get('peer_urls')]
    everyone = ','.join('%s=%s' % (m['name'], _peer_url(scheme, m['address'], peer_port)) for m in members)
    # A member announced but not started has no name in the list yet: the inventory names it.
    names = dict((_peer_url(scheme, m['address'], peer_port), m['name']) for m in members)
    voting = [m for m in (live or []) if not m.get('is_learner')]

    for member in members:
        host, name = member['host'], member['name']
        peer = _peer_url(scheme, member['address'], peer_port)
        entry = dict(action='member', state=member.get('previous_state') if member.get('previous_state') in ('new', 'existing') else 'new',
                     initial_cluster=member.get('previous_initial_cluster') or everyone, member_id='')
        hosts[host] = entry
        if live is None:
            if not member['has_data']:
                others = any(m['has_data'] for m in members if m['host'] != host)
                entry.update(action='join' if others else 'new', state='existing' if others else 'new',
                             initial_cluster=everyone)
                if others:
                    joining.append(host)
            continue
        found = _find(live, name, peer)
        entry['member_id'] = found['id'] if found else ''
        if member['has_data']:
            if found is None:
                refusals.setdefault(host, []).append(
                    'etcd member %s on %s has data in its etcd_data_dir, but the cluster no longer lists it (its members: '
                    '%s): etcd would refuse to start it. Remove its data (playbooks/remove.yml --limit %s -e etcd_remove=true '
                    '-e etcd_purge_data=true) and run site.yml again: it then joins as a new member.'
                    % (name, host, ', '.join(m['name'] or '(not started)' for m in live) or 'none', host))
            continue
        if found is not None and found.get('name'):
            others = [m for m in voting if m['id'] != found['id']]
            unhealthy = [m['name'] for m in members if m['host'] != host and not m.get('healthy')]
            if not others:
                refusals.setdefault(host, []).append(
                    'etcd_data_dir on %s holds no data, but %s is the only voting member of the running cluster and the '
                    'only copy of its data (every lease and the network config): starting it on an empty directory would '
                    'start a new, empty cluster. Point etcd_data_dir back to the directory etcd runs with (%s: '
                    'ETCD_DATA_DIR), or move that data there first.' % (host, name, member.get('settings_file', 'its settings')))
                continue
            if unhealthy:
                refusals.setdefault(host, []).append(
                    'etcd_data_dir on %s holds no data, so member %s would be removed and added again, but %s %s not '
                    'healthy: the cluster could lose its quorum. Bring %s back first.'
                    % (host, name, ', '.join(unhealthy), 'is' if len(unhealthy) == 1 else 'are', ', '.join(unhealthy)))
                continue
            entry['action'] = 'rejoin'
            listed = [item for item in listed if item[1] != peer]
        else:
            entry['action'] = 'join'
        if not [item for item in listed if item[1] == peer]:
            listed.append((name, peer))
        entry.update(state='existing', initial_cluster=','.join(
            '%s=%s' % (item_name or names.get(url, ''), url) for item_name, url in listed))
        joining.append(host)
    # The member that announces the joiners: one that keeps its data (and so runs in the cluster).
    keeping = [m['host'] for m in members if hosts[m['host']]['action'] == 'member' and m['has_data']]
    return dict(hosts=hosts, refusals=refusals, joining=joining, via=keeping[0] if keeping else '')
