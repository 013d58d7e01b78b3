"""Continuous cross-host probe over the overlay, container to container: counts what a Day-2 operation loses.

  probe.py start HOST...   a probe container on every host (the overlay check image, serving a web
                           page with busybox httpd on port 8080); from each, every other host's
                           container is pinged at 10/s (ICMP) and its page fetched at 5/s (TCP, the
                           content compared with that container's hostname)
  probe.py stop HOST...    stops them and prints, per pair, ICMP sent, received, lost and TCP fetches
                           passed and failed; the last line is PROBE_LOST <lost pings + failed fetches>;
                           --max-lost N exits 1 above N; --report FILE also writes the counts as JSON
                           (for molecule)

A ping counts as lost when no reply came for it, except the last one of a pair when it was sent too
shortly before the stop for its reply to arrive (it is left out of sent and lost alike). A fetch that
was still running at the stop is not counted.

The hosts are the lab's or a molecule scenario's systemd hosts (docker exec), the probe containers run
in their Docker. Pings are bounded (-w, one hour) and so is the fetch loop, so a forgotten probe stops
by itself; traffic stays between the test hosts' containers.
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import overlay_image  # noqa: E402  pylint: disable=wrong-import-position

CONTAINER = "overlaynet-probe"
PIDS = "/tmp/probe.pids"
PING_LOG = "/tmp/icmp-%s.log"
TCP_COUNT = "/tmp/tcp-%s.count"
PING_INTERVAL = "0.1"
FETCH_PAUSE = "0.2"
DEADLINE = 3600


def sh(host, command, check=True):
    result = subprocess.run(["docker", "exec", host, "sh", "-c", command], capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise SystemExit("FAILED: %s: %s: %s" % (host, command, result.stderr.strip()))
    return result.stdout


def in_probe(host, command, check=True, detach=False):
    """Runs a shell command inside the host's probe container."""
    return sh(host, "docker exec %s%s sh -c %s" % ("-d " if detach else "", CONTAINER, shlex.quote(command)), check)


def start_container(host, image, build_image):
    sh(host, build_image)
    sh(host, "docker rm -f %s >/dev/null 2>&1; docker run -d --name %s %s httpd -f -p 8080 -h /etc >/dev/null"
       % (CONTAINER, CONTAINER, image))
    address = sh(host, "docker inspect --format '{{.NetworkSettings.Networks.bridge.IPAddress}}' " + CONTAINER).strip()
    if not address:
        raise SystemExit("FAILED: %s: the probe container has no address on docker's bridge" % host)
    # The image is busybox alone: no /tmp for the logs until made.
    return address, in_probe(host, "mkdir -p /tmp; hostname").strip()


def start(hosts):
    image, build_image = overlay_image.recipe()
    targets = dict((host, start_container(host, image, build_image)) for host in hosts)
    for host in hosts:
        for peer, (address, name) in targets.items():
            if peer == host:
                continue
            in_probe(host, "echo $$ >> %s; exec ping -n -i %s -w %d %s > %s 2>&1"
                     % (PIDS, PING_INTERVAL, DEADLINE, address, PING_LOG % address), detach=True)
            # `timeout 3 wget`, not `wget -T 3`: bookworm's busybox 1.35 wget crashes on -T.
            in_probe(host, (
                "echo $$ >> {pids}; ok=0; failed=0; end=$(( $(date +%s) + {deadline} )); "
                "while [ $(date +%s) -lt $end ]; do "
                "if [ \"$(timeout 3 wget -q -O - http://{address}:8080/hostname 2>/dev/null)\" = {name} ]; "
                "then ok=$((ok + 1)); else failed=$((failed + 1)); fi; "
                "echo \"$ok $failed\" > {count}; sleep {pause}; done"
            ).format(pids=PIDS, deadline=DEADLINE, address=address, name=name, count=TCP_COUNT % address,
                     pause=FETCH_PAUSE), detach=True)
    print("probe: %d container pairs, ICMP at 10/s and TCP at 5/s (%s)" % (len(hosts) * (len(hosts) - 1), ", ".join(
        "%s=%s" % (host, target[0]) for host, target in sorted(targets.items()))))


def count(host, log, text):
    """(sent, received) of one ping log; the last packet, unanswered when ping was stopped, is not sent."""
    match = re.search(r"(\d+) packets transmitted, (\d+) (?:packets )?received", text)
    if not match:
        raise SystemExit("FAILED: %s: no ping summary in %s:\n%s" % (host, log, text[-500:]))
    sent, received = int(match.group(1)), int(match.group(2))
    answered = set(int(seq) for seq in re.findall(r"seq=(\d+) ", text))
    if sent > 0 and (sent - 1) not in answered and sent not in answered:
        sent -= 1
    return sent, received


def stop(hosts, max_lost, report=None):
    for host in hosts:
        in_probe(host, "kill -INT $(cat %s) 2>/dev/null; true" % PIDS, check=False)
    time.sleep(1)
    total, rows = 0, []
    for host in hosts:
        logs = in_probe(host, "ls %s 2>/dev/null || true" % (PING_LOG % "*"), check=False).split()
        for log in logs:
            target = log[len(PING_LOG.split("%s", maxsplit=1)[0]):-len(".log")]
            sent, received = count(host, log, in_probe(host, "cat " + log))
            fetched = in_probe(host, "cat %s 2>/dev/null || echo 0 0" % (TCP_COUNT % target)).split()
            ok, failed = int(fetched[0]), int(fetched[1])
            rows.append((host, target, sent, received, sent - received, ok, failed))
            total += sent - received + failed
        sh(host, "docker rm -f %s >/dev/null 2>&1" % CONTAINER, check=False)
    for row in rows:
        print("probe: %-28s -> %-15s ICMP sent %6d received %6d lost %d, TCP passed %5d failed %d" % row)
    print("PROBE_LOST %d" % total)
    if report:
        with open(report, "w", encoding="utf-8") as handle:
            json.dump({"lost": total, "sent": sum(row[2] + row[5] + row[6] for row in rows), "pairs": [
                dict(zip(("host", "target", "sent", "received", "lost", "tcp_passed", "tcp_failed"), row)) for row in rows]},
                handle)
    if len(rows) < len(hosts) * (len(hosts) - 1):
        raise SystemExit("FAILED: %d of %d probed pairs left no counts (a probe container was restarted or removed?)"
                         % (len(hosts) * (len(hosts) - 1) - len(rows), len(hosts) * (len(hosts) - 1)))
    if not any(row[5] for row in rows):
        raise SystemExit("FAILED: no TCP fetch passed between any pair: is the probe running?")
    if max_lost is not None and total > max_lost:
        raise SystemExit("FAILED: %d pings lost or fetches failed over the overlay (at most %d allowed)" % (total, max_lost))


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
