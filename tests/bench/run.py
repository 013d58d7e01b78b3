"""`make bench`: how fast the collection converges and how fast the overlay is.

On fresh lab-like hosts of its own (overlaynet-bench-node1..9, made and removed with
tests/lab/hosts.sh), in one run:

  1. converge time of playbooks/site.yml on 3 fresh hosts (vxlan);
  2. idempotent re-run time vs `ansible -m setup` on the same hosts (ratio, target <= 3);
  3. the datapath (tests/bench/datapath.py): iperf3 TCP throughput (--rounds runs per path, the
     paths alternating, medians) and ping RTT between two hosts for the underlay (host to host),
     flannel vxlan, a Docker swarm-mode overlay beside it (the baseline), then, the swarm gone and
     the same hosts switched to host-gw, flannel host-gw and a control (the same containers over
     plain static routes); targets vxlan >= 0.85 and host-gw >= 0.95 of the underlay;
  4. idempotent re-run time at 3 hosts vs 9 hosts.

--quick runs 1-2, --datapath 1 and 3. iperf3 and ping run from the hosts inside the containers'
network namespaces (nsenter), so the container image needs neither. All traffic stays between the
bench hosts. Prints a table and writes bench-results/bench.json (every run's figure). Not a test:
it reports numbers, it does not judge them."""

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
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datapath  # noqa: E402  pylint: disable=wrong-import-position

IMAGE, BUILD_IMAGE = overlay_image.recipe()
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


def rerun_and_setup(inventory, extra_vars=None, remote_tasks=None, times=3):
    """Idempotent re-runs and setup runs, alternating so that both see the same load: the medians
    (seconds), the largest changed count, and every single time."""
    reruns, setups, changed = [], [], 0
    for attempt in range(times):
        seconds, count = playbook(inventory, "site.yml", extra_vars, remote_tasks if attempt == 0 else None)
        reruns.append(round(seconds, 1))
        changed = max(changed, count)
        setups.append(round(setup_time(inventory), 2))
    return statistics.median(reruns), statistics.median(setups), changed, reruns, setups


def load():
    """The machine's load averages (1, 5, 15 min), as uptime shows them."""
    with open("/proc/loadavg", encoding="utf-8") as handle:
        return " ".join(handle.read().split()[:3])


def measure_datapath(out, hosts, inventory, rounds):
    underlay_cidr = run(["docker", "network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", NETWORK]).stdout.strip()

    def switch_to_hostgw():
        seconds, _recap = playbook(inventory, "site.yml", HOSTGW_VARS)
        return round(seconds, 1)
    datapath.run_datapath(out, hosts, rounds, IMAGE, BUILD_IMAGE, underlay_cidr, switch_to_hostgw, log)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5,
                        help="iperf3 runs (%d s each) and pings per path, paths alternating (default 5)"
                        % datapath.IPERF_SECONDS)
    parser.add_argument("--keep", action="store_true", help="leave the bench hosts running")
    parser.add_argument("--quick", action="store_true",
                        help="3 hosts only: converge, idempotent re-run, setup, remote task runs (no iperf3, no 9 hosts)")
    parser.add_argument("--no-datapath", action="store_true",
                        help="3 and 9 hosts without the datapath (the 9 hosts switch to host-gw in their converge)")
    parser.add_argument("--datapath", action="store_true",
                        help="3 hosts only: converge, then the datapath (vxlan, swarm, host-gw, control)")
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
    results = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "load_before": load()}
    three, nine = ALL_HOSTS[:3], ALL_HOSTS
    failed = None
    try:
        run(["bash", HOSTS_SH, "down", NETWORK] + ALL_HOSTS)
        log("creating 3 fresh hosts")
        run(["bash", HOSTS_SH, "up", NETWORK] + three)
        inv3 = write_inventory(three)

        log("converge site.yml on 3 fresh hosts (vxlan)")
        results["converge_3_s"], _recap = playbook(inv3, "site.yml")
        if args.datapath:
            measure_datapath(results.setdefault("datapath", {}), three, inv3, args.rounds)
            raise StopIteration
        log("idempotent re-runs on 3 hosts, alternating with ansible -m setup (medians of 3)")
        results["remote_tasks_3"] = {}
        (results["idempotent_3_s"], results["setup_3_s"], results["idempotent_3_changed"],
         results["idempotent_3_runs"], results["setup_3_runs"]) = rerun_and_setup(inv3, remote_tasks=results["remote_tasks_3"])
        results["idempotent_vs_setup_3"] = round(results["idempotent_3_s"] / results["setup_3_s"], 2)
        if args.quick:
            raise StopIteration

        if not args.no_datapath:
            measure_datapath(results.setdefault("datapath", {}), three, inv3, args.rounds)

        log("6 more hosts (9 flannel hosts, etcd stays on 3): converge, idempotent re-runs and setup (medians of 3)")
        run(["bash", HOSTS_SH, "up", NETWORK] + nine[3:])
        inv9 = write_inventory(nine)
        results["converge_9_s"], _recap = playbook(inv9, "site.yml", HOSTGW_VARS)
        (results["idempotent_9_s"], results["setup_9_s"], results["idempotent_9_changed"],
         results["idempotent_9_runs"], results["setup_9_runs"]) = rerun_and_setup(inv9, HOSTGW_VARS)
        results["idempotent_vs_setup_9"] = round(results["idempotent_9_s"] / results["setup_9_s"], 2)
        results["idempotent_9_vs_3"] = round(results["idempotent_9_s"] / results["idempotent_3_s"], 2)
    except StopIteration:
        pass
    except SystemExit as exc:
        # Keep and show what was measured before the failure.
        failed = results["failed"] = str(exc)
    finally:
        results["load_after"] = load()
        for key, value in results.items():
            if key.endswith("_s"):
                results[key] = round(value, 2 if key.startswith("setup") else 1)
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
        ("idempotent re-run, 3 hosts", "%.1f s (changed=%s)" % (r["idempotent_3_s"], r["idempotent_3_changed"]),
         "median of %s" % r["idempotent_3_runs"]),
        ("ansible -m setup, 3 hosts", "%.2f s" % r["setup_3_s"], "median of %s" % r["setup_3_runs"]),
        ("  re-run / setup", "%.2f" % r["idempotent_vs_setup_3"], "target <= 3"),
        ("remote task runs per host, re-run", " ".join("%d" % n for _h, n in sorted(r["remote_tasks_3"].items())) or "?",
         "per host"),
        ("converge 9 hosts (6 fresh)", "%.1f s" % r["converge_9_s"], ""),
        ("idempotent re-run, 9 hosts", "%.1f s (changed=%s)" % (r["idempotent_9_s"], r["idempotent_9_changed"]),
         "median of %s" % r["idempotent_9_runs"]),
        ("ansible -m setup, 9 hosts", "%.2f s" % r["setup_9_s"], "median of %s" % r["setup_9_runs"]),
        ("  re-run / setup, 9 hosts", "%.2f" % r["idempotent_vs_setup_9"], ""),
        ("  re-run 9 hosts / 3 hosts", "%.2f" % r["idempotent_9_vs_3"], "target <= 1.3"),
    ]
    width = max(len(row[0]) for row in rows)
    for name, value, target in rows:
        if not value.startswith(("nan", "?")):  # not measured (--datapath, or a failed run)
            print("%-*s  %-26s %s" % (width, name, value, target))
    if r.get("datapath"):
        print("datapath (%s rounds, iperf3 %s s, ping %s; load %s -> %s):" % (
            r["datapath"]["rounds"], r["datapath"]["iperf_seconds"], r["datapath"]["ping"], r["load_before"],
            r["load_after"]))
        for line in datapath.table(r["datapath"]):
            print("  " + line)
    print("(saved to %s)" % os.path.join(RESULTS, "bench.json"))


class Missing(dict):
    """Formats what a failed run did not measure as nan."""

    def __getitem__(self, key):
        value = dict.get(self, key, None)
        if value is None:
            # A whole missing section (e.g. "hostgw") behaves like an empty one.
            return Missing() if key == "remote_tasks_3" else float("nan")
        return Missing(value) if isinstance(value, dict) else value


if __name__ == "__main__":
    main()
