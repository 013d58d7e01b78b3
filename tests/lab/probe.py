"""Continuous cross-host probe over the overlay: counts the packets a Day-2 operation loses.

  probe.py start HOST...   every host pings every other host's docker0 address at 10/s (over
                           flannel: the route to a peer's subnet goes through the overlay)
  probe.py stop HOST...    stops the pings and prints, per pair, packets sent, received, lost;
                           the last line is PROBE_LOST <total>; --max-lost N exits 1 above N;
                           --report FILE also writes the counts as JSON (for molecule)

A packet counts as lost when no reply came for it, except the last one of a pair when it was sent
too shortly before the stop for its reply to arrive (it is left out of sent and lost alike).

The hosts are the lab's or a molecule scenario's containers (docker exec). Each ping is bounded
(-w, one hour) so a forgotten probe stops by itself; traffic stays between the test hosts.
"""

import argparse
import json
import re
import subprocess
import sys
import time

PID_FILE = "/run/overlaynet-probe.pids"
LOG = "/run/overlaynet-probe-%s.log"
INTERVAL = "0.1"
DEADLINE = "3600"


def sh(host, command, check=True):
    result = subprocess.run(["docker", "exec", host, "sh", "-c", command], capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise SystemExit("FAILED: %s: %s: %s" % (host, command, result.stderr.strip()))
    return result.stdout


def docker0(host):
    links = json.loads(sh(host, "ip -j -4 addr show dev docker0") or "[]")
    for link in links:
        for info in link.get("addr_info", []):
            return info["local"]
    raise SystemExit("FAILED: %s has no address on docker0: is docker on the overlay?" % host)


def start(hosts):
    targets = dict((host, docker0(host)) for host in hosts)
    for host in hosts:
        sh(host, "[ ! -s %s ] || kill -INT $(cat %s) 2>/dev/null; rm -f %s" % (PID_FILE, PID_FILE, PID_FILE), check=False)
        for peer, address in targets.items():
            if peer != host:
                sh(host, "ping -n -i %s -w %s %s > %s 2>&1 & echo $! >> %s"
                   % (INTERVAL, DEADLINE, address, LOG % address, PID_FILE))
    print("probe: %d pairs at 10/s (%s)" % (len(hosts) * (len(hosts) - 1), ", ".join(
        "%s=%s" % item for item in sorted(targets.items()))))


def count(host, log, text):
    """(sent, received) of one ping log; the last packet, unanswered when ping was stopped, is not sent."""
    match = re.search(r"(\d+) packets transmitted, (\d+) received", text)
    if not match:
        raise SystemExit("FAILED: %s: no ping summary in %s:\n%s" % (host, log, text[-500:]))
    sent, received = int(match.group(1)), int(match.group(2))
    answered = set(int(seq) for seq in re.findall(r"icmp_seq=(\d+) ", text))
    if sent > 0 and sent not in answered:
        sent -= 1
    return sent, received


def stop(hosts, max_lost, report=None):
    for host in hosts:
        sh(host, "kill -INT $(cat %s) 2>/dev/null; true" % PID_FILE, check=False)
    time.sleep(1)
    total, rows = 0, []
    for host in hosts:
        for log in sh(host, "ls /run/overlaynet-probe-*.log 2>/dev/null || true").split():
            text = sh(host, "cat %s" % log)
            sent, received = count(host, log, text)
            target = log[len("/run/overlaynet-probe-"):-len(".log")]
            rows.append((host, target, sent, received, sent - received))
            total += sent - received
        sh(host, "rm -f %s /run/overlaynet-probe-*.log" % PID_FILE, check=False)
    for row in rows:
        print("probe: %-28s -> %-15s sent %6d received %6d lost %d" % row)
    print("PROBE_LOST %d" % total)
    if report:
        with open(report, "w") as handle:
            json.dump({"lost": total, "sent": sum(row[2] for row in rows), "pairs": [
                dict(zip(("host", "target", "sent", "received", "lost"), row)) for row in rows]}, handle)
    if not rows:
        raise SystemExit("FAILED: no probe was running on %s" % ", ".join(hosts))
    if max_lost is not None and total > max_lost:
        raise SystemExit("FAILED: %d packets lost over the overlay (at most %d allowed)" % (total, max_lost))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("hosts", nargs="+")
    parser.add_argument("--max-lost", type=int, default=None)
    parser.add_argument("--report", default=None, help="stop: also write the counts to this JSON file")
    args = parser.parse_args()
    if args.action == "start":
        start(args.hosts)
    else:
        stop(args.hosts, args.max_lost, args.report)


if __name__ == "__main__":
    sys.exit(main())
