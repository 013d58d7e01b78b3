"""Continuous reads from etcd during a Day-2 operation: counts the reads etcd did not answer.

  etcd_reads.py start HOST...   on every host, a loop reads KEY from the host's own etcd member
                                (etcdctl, a linearizable read: it needs a leader, so the cluster's
                                quorum) five times a second; a read not answered within 5 s fails
  etcd_reads.py stop HOST...    stops the loops and prints, per host, the reads answered and failed;
                                the last line is READS_FAILED <failed reads of all hosts>; --max-failed N
                                exits 1 above N

etcdctl's settings come from the environment of this script (ETCDCTL_USER and the like), handed to the
loops; --endpoint and --key say what is read. The hosts are the lab's or a molecule scenario's systemd
hosts (docker exec). Each loop ends by itself after an hour.
"""

import argparse
import os
import shlex
import subprocess
import sys

STATE = "/tmp/etcd-reads"
DEADLINE_READS = 5 * 3600


def sh(host, command, env=None, check=True):
    argv = ["docker", "exec"] + ["--env=%s" % name for name in sorted(env or {})] + [host, "sh", "-c", command]
    result = subprocess.run(argv, capture_output=True, text=True, check=False, env=dict(os.environ, **(env or {})))
    if check and result.returncode != 0:
        raise SystemExit("FAILED: %s: %s: %s" % (host, command, result.stderr.strip()))
    return result.stdout


def start(hosts, endpoint, key):
    env = dict((name, value) for name, value in os.environ.items() if name.startswith("ETCDCTL_"))
    loop = (
        "rm -rf {state}; mkdir -p {state}; echo $$ > {state}/pid; n=0; "
        "while [ $n -lt {limit} ]; do n=$((n + 1)); "
        "if etcdctl --endpoints={endpoint} --command-timeout=5s get --print-value-only {key} >/dev/null 2>{state}/last-error; "
        "then echo >> {state}/ok; else echo >> {state}/failed; cat {state}/last-error >> {state}/errors; fi; "
        "sleep 0.2; done"
    ).format(state=STATE, limit=DEADLINE_READS, endpoint=shlex.quote(endpoint), key=shlex.quote(key))
    for host in hosts:
        sh(host, "etcdctl --endpoints=%s get --print-value-only %s >/dev/null" % (shlex.quote(endpoint), shlex.quote(key)), env)
        sh(host, "setsid sh -c %s >/dev/null 2>&1 < /dev/null &" % shlex.quote(loop), env)


def stop(hosts, max_failed):
    failed_total = 0
    for host in hosts:
        out = sh(host, "kill $(cat {s}/pid) 2>/dev/null; sleep 0.3; cat {s}/ok 2>/dev/null | wc -l; "
                       "cat {s}/failed 2>/dev/null | wc -l; tail -n 3 {s}/errors 2>/dev/null; true".format(s=STATE))
        lines = out.splitlines()
        ok, failed = int(lines[0].strip()), int(lines[1].strip())
        failed_total += failed
        print("%s: %d reads answered, %d failed%s" % (host, ok, failed, (": " + " | ".join(lines[2:])) if failed else ""))
    print("READS_FAILED %d" % failed_total)
    return 1 if max_failed is not None and failed_total > max_failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("hosts", nargs="+")
    parser.add_argument("--endpoint", default="http://127.0.0.1:2379")
    parser.add_argument("--key", default="/coreos.com/network/config")
    parser.add_argument("--max-failed", type=int, default=None)
    args = parser.parse_args()
    if args.action == "start":
        start(args.hosts, args.endpoint, args.key)
        return 0
    return stop(args.hosts, args.max_failed)


if __name__ == "__main__":
    sys.exit(main())
