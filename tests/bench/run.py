"""`make bench`: how fast the collection converges and how fast the overlay is.

On fresh lab-like hosts of its own (overlaynet-bench-node1..9, made and removed with
tests/lab/hosts.sh), in one run:

  1. converge time of playbooks/site.yml on 3 fresh hosts (vxlan);
  2. idempotent re-run time vs `ansible -m setup` on the same hosts (ratio, target <= 3);
  3. iperf3 TCP throughput container-to-container across two hosts over the overlay vs
     host-to-host on the underlay (ratio, targets vxlan >= 0.85, host-gw >= 0.95), for vxlan and
     again after switching the same hosts to host-gw;
  4. idempotent re-run time at 3 hosts vs 9 hosts.

iperf3 runs from the hosts inside the containers' network namespaces (nsenter), so the container
image needs no iperf3. All traffic stays between the bench hosts. Prints a table and writes
bench-results/bench.json. Not a test: it reports numbers, it does not judge them.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOSTS_SH = os.path.join(ROOT, "tests", "lab", "hosts.sh")
RESULTS = os.path.join(ROOT, "bench-results")
NETWORK = "overlaynet-bench"
ALL_HOSTS = ["overlaynet-bench-node%d" % i for i in range(1, 10)]
ETCD_HOSTS = ALL_HOSTS[:3]
sys.path.insert(0, os.path.join(ROOT, "tests", "lab"))
import overlay_image  # noqa: E402  pylint: disable=wrong-import-position

IMAGE, BUILD_IMAGE = overlay_image.recipe()
CONTAINER = "overlaynet-bench"
IPERF_SECONDS = 5
HOSTGW_VARS = {
    "flannel_network_force": True,
    "flannel_network_config": {"Network": "10.244.0.0/16", "SubnetLen": 24, "Backend": {"Type": "host-gw"}},
}


def log(msg):
    print("==> bench: " + msg, file=sys.stderr, flush=True)


def run(argv, check=True, **kwargs):
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False, **kwargs)
    if check and result.returncode != 0:
        tail = "\n".join(result.stdout.splitlines()[-40:])
        raise SystemExit("FAILED: %s (rc %d)\n%s" % (" ".join(argv), result.returncode, tail))
    return result


def on(host, command, check=True):
    """Run a shell command in a bench host (the hosts are containers: docker exec)."""
    return run(["docker", "exec", host, "sh", "-c", command], check=check).stdout


def write_inventory(flannel_hosts):
    path = os.path.join(RESULTS, "inventory.yml")
    lines = ["all:", "  vars:", "    ansible_connection: community.docker.docker", "    ansible_user: root",
             "  children:", "    etcd:", "      hosts:"]
    lines += ["        %s:" % h for h in ETCD_HOSTS]
    lines += ["    flannel:", "      hosts:"]
    lines += ["        %s:" % h for h in flannel_hosts]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    # The lab's group_vars (archives from the controller's cache) apply to the bench hosts too.
    link = os.path.join(RESULTS, "group_vars")
    if not os.path.islink(link):
        os.symlink(os.path.join(ROOT, "tests", "lab", "group_vars"), link)
    return path


def timed(argv):
    start = time.monotonic()
    result = run(argv)
    return time.monotonic() - start, result.stdout


def playbook(inventory, name, extra_vars=None, remote_tasks=None):
    """Run a playbook; its time and changed count. remote_tasks (a dict) gets, per host, the task
    runs that reached the host (tests/bench/callback_plugins/remote_tasks.py)."""
    argv = ["ansible-playbook", "-i", inventory, os.path.join(ROOT, "playbooks", name)]
    if extra_vars:
        argv += ["-e", json.dumps(extra_vars)]
    seconds, out = timed(argv)
    changed = sum(int(n) for n in re.findall(r"^\S+\s+:\s+ok=\d+\s+changed=(\d+)", out, re.M))
    counted = re.search(r"^REMOTE_TASKS (\{.*\})$", out, re.M)
    if remote_tasks is not None and counted:
        remote_tasks.update(json.loads(counted.group(1)))
    return seconds, changed


def setup_time(inventory):
    seconds, _output = timed(["ansible", "-i", inventory, "all", "-m", "ansible.builtin.setup"])
    return seconds


def prepare_iperf(hosts):
    """iperf3 on the hosts, and a busybox container (locally built image) on each."""
    for host in hosts:
        on(host, "command -v iperf3 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q iperf3 >/dev/null")
        on(host, BUILD_IMAGE)


def start_containers(hosts):
    info = {}
    for host in hosts:
        on(host, "docker rm -f %s >/dev/null 2>&1; docker run -d --name %s %s /bin/sleep 900 >/dev/null" % (CONTAINER, CONTAINER, IMAGE))
        pid, ip = on(host, "docker inspect -f '{{.State.Pid}} {{.NetworkSettings.IPAddress}}' " + CONTAINER).split()
        info[host] = {"pid": pid, "ip": ip}
    return info


def host_ip(host):
    return on(host, "ip -j -4 addr show dev eth0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0][\"addr_info\"][0][\"local\"])'").strip()


def iperf(server, client, target_ip, netns_pids=None):
    """One bounded iperf3 TCP run from client to server; Gbit/s received."""
    wrap_s = "nsenter -t %s -n " % netns_pids[0] if netns_pids else ""
    wrap_c = "nsenter -t %s -n " % netns_pids[1] if netns_pids else ""
    on(server, "%siperf3 -s -1 -D" % wrap_s)
    time.sleep(1)
    out = on(client, "%stimeout %d iperf3 -c %s -t %d -J" % (wrap_c, IPERF_SECONDS + 20, target_ip, IPERF_SECONDS))
    return json.loads(out)["end"]["sum_received"]["bits_per_second"] / 1e9


def throughput(hosts, rounds):
    """Alternate underlay and overlay runs so that both see the same machine load; medians."""
    server, client = hosts[0], hosts[1]
    containers = start_containers([server, client])
    underlay, overlay = [], []
    for _round in range(rounds):
        underlay.append(iperf(server, client, host_ip(server)))
        overlay.append(iperf(server, client, containers[server]["ip"],
                             (containers[server]["pid"], containers[client]["pid"])))
    for host in (server, client):
        on(host, "docker rm -f %s >/dev/null" % CONTAINER, check=False)
    u, o = statistics.median(underlay), statistics.median(overlay)
    return {"underlay_gbps": round(u, 2), "overlay_gbps": round(o, 2), "ratio": round(o / u, 3),
            "underlay_runs": [round(x, 2) for x in underlay], "overlay_runs": [round(x, 2) for x in overlay]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="iperf3 runs per path (each %ds)" % IPERF_SECONDS)
    parser.add_argument("--keep", action="store_true", help="leave the bench hosts running")
    parser.add_argument("--quick", action="store_true",
                        help="3 hosts only: converge, idempotent re-run, setup, remote task runs (no iperf3, no 9 hosts)")
    args = parser.parse_args()
    os.makedirs(RESULTS, exist_ok=True)
    # The same environment `make bench` gives, for a direct run with the venv's python.
    os.environ.setdefault("ANSIBLE_CONFIG", os.path.join(ROOT, "ansible.cfg"))
    # Counts the task runs that reach each host (printed as REMOTE_TASKS at the end of a run).
    os.environ["ANSIBLE_CALLBACK_PLUGINS"] = os.path.join(ROOT, "tests", "bench", "callback_plugins")
    os.environ["ANSIBLE_CALLBACKS_ENABLED"] = "remote_tasks"
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    cache = os.environ.get("OVERLAYNET_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "overlaynet-flannel")
    os.environ.setdefault("OVERLAYNET_ARCHIVES", os.path.join(cache, "archives"))
    results = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "iperf_seconds": IPERF_SECONDS}
    three, nine = ALL_HOSTS[:3], ALL_HOSTS
    failed = None
    try:
        run(["bash", HOSTS_SH, "down", NETWORK] + ALL_HOSTS)
        log("creating 3 fresh hosts")
        run(["bash", HOSTS_SH, "up", NETWORK] + three)
        inv3 = write_inventory(three)

        log("converge site.yml on 3 fresh hosts (vxlan)")
        results["converge_3_s"], _recap = playbook(inv3, "site.yml")
        log("idempotent re-run on 3 hosts, and ansible -m setup")
        results["remote_tasks_3"] = {}
        results["idempotent_3_s"], results["idempotent_3_changed"] = playbook(inv3, "site.yml",
                                                                              remote_tasks=results["remote_tasks_3"])
        results["setup_3_s"] = setup_time(inv3)
        results["idempotent_vs_setup_3"] = round(results["idempotent_3_s"] / results["setup_3_s"], 2)
        if args.quick:
            raise StopIteration

        log("iperf3 over vxlan vs the underlay")
        prepare_iperf(three[:2])
        results["vxlan"] = throughput(three, args.rounds)

        log("switch the same hosts to host-gw, iperf3 again")
        results["switch_to_hostgw_s"], _recap = playbook(inv3, "site.yml", HOSTGW_VARS)
        results["hostgw"] = throughput(three, args.rounds)

        log("6 more hosts (9 flannel hosts, etcd stays on 3): converge, idempotent re-run, setup")
        run(["bash", HOSTS_SH, "up", NETWORK] + nine[3:])
        inv9 = write_inventory(nine)
        results["converge_9_s"], _recap = playbook(inv9, "site.yml", HOSTGW_VARS)
        results["idempotent_9_s"], results["idempotent_9_changed"] = playbook(inv9, "site.yml", HOSTGW_VARS)
        results["setup_9_s"] = setup_time(inv9)
        results["idempotent_vs_setup_9"] = round(results["idempotent_9_s"] / results["setup_9_s"], 2)
        results["idempotent_9_vs_3"] = round(results["idempotent_9_s"] / results["idempotent_3_s"], 2)
    except StopIteration:
        pass
    except SystemExit as exc:
        # Keep and show what was measured before the failure.
        failed = results["failed"] = str(exc)
    finally:
        for key, value in results.items():
            if key.endswith("_s"):
                results[key] = round(value, 1)
        with open(os.path.join(RESULTS, "bench.json"), "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2, sort_keys=True)
        if not args.keep:
            run(["bash", HOSTS_SH, "down", NETWORK] + ALL_HOSTS, check=False)
    print_table(results)
    if failed:
        raise SystemExit(failed)


def print_table(r):
    r = Missing(r)
    rows = [
        ("converge site.yml, 3 fresh hosts", "%.1f s" % r["converge_3_s"], ""),
        ("idempotent re-run, 3 hosts", "%.1f s (changed=%s)" % (r["idempotent_3_s"], r["idempotent_3_changed"]), ""),
        ("ansible -m setup, 3 hosts", "%.1f s" % r["setup_3_s"], ""),
        ("  re-run / setup", "%.2f" % r["idempotent_vs_setup_3"], "target <= 3"),
        ("remote task runs per host, re-run", " ".join("%d" % n for _h, n in sorted(r["remote_tasks_3"].items())) or "?",
         "per host"),
        ("iperf3 underlay (vxlan run)", "%.2f Gbit/s" % r["vxlan"]["underlay_gbps"], ""),
        ("iperf3 overlay vxlan", "%.2f Gbit/s" % r["vxlan"]["overlay_gbps"], ""),
        ("  vxlan / underlay", "%.3f" % r["vxlan"]["ratio"], "target >= 0.85"),
        ("iperf3 underlay (host-gw run)", "%.2f Gbit/s" % r["hostgw"]["underlay_gbps"], ""),
        ("iperf3 overlay host-gw", "%.2f Gbit/s" % r["hostgw"]["overlay_gbps"], ""),
        ("  host-gw / underlay", "%.3f" % r["hostgw"]["ratio"], "target >= 0.95"),
        ("converge 9 hosts (6 fresh)", "%.1f s" % r["converge_9_s"], ""),
        ("idempotent re-run, 9 hosts", "%.1f s (changed=%s)" % (r["idempotent_9_s"], r["idempotent_9_changed"]), ""),
        ("ansible -m setup, 9 hosts", "%.1f s" % r["setup_9_s"], ""),
        ("  re-run / setup, 9 hosts", "%.2f" % r["idempotent_vs_setup_9"], ""),
        ("  re-run 9 hosts / 3 hosts", "%.2f" % r["idempotent_9_vs_3"], ""),
    ]
    width = max(len(row[0]) for row in rows)
    for name, value, target in rows:
        print("%-*s  %-26s %s" % (width, name, value, target))
    print("(saved to %s)" % os.path.join(RESULTS, "bench.json"))


class Missing(dict):
    """Formats what a failed run did not measure as nan."""

    def __getitem__(self, key):
        value = dict.get(self, key, None)
        if value is None:
            # A whole missing section (e.g. "hostgw") behaves like an empty one.
            return Missing() if key in ("vxlan", "hostgw", "remote_tasks_3") else float("nan")
        return Missing(value) if isinstance(value, dict) else value


if __name__ == "__main__":
    main()
