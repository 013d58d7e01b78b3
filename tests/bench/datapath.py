"""The datapath part of `make bench` (tests/bench/run.py): iperf3 throughput and ping latency between
two bench hosts, per path, with every run kept.

Paths (all between the same two hosts, server on the first, client on the second):

  underlay   host eth0 to host eth0 (the bench hosts are containers on one Docker bridge)
  vxlan      container to container over flannel's vxlan backend
  host-gw    container to container over flannel's host-gw backend
  swarm      container to container over a Docker swarm-mode `overlay` network (the baseline)
  control    the same two containers over a second veth each, routed by plain static routes
             (no docker0 bridge, no flannel), FORWARD accepted by a first rule: what any routed
             container path can reach on this rig

A phase measures some paths together: each round runs every path once, the order rotating from
round to round, so that all paths of a phase see the same machine load. iperf3 and ping run from
the hosts, inside the containers' network namespaces (nsenter), so the container image needs neither.
"""

import json
import re
import statistics
import subprocess
import time

IPERF_SECONDS = 5
PING_COUNT = 50
PING_INTERVAL = 0.05
CONTAINER = "overlaynet-bench"
SWARM_CONTAINER = "overlaynet-bench-swarm"
SWARM_NETWORK = "overlaynet-bench-swarm"
# Clear of flannel's 10.244.0.0/16 and of the bench network (checked against it before use).
SWARM_SUBNET = "10.250.0.0/24"
CONTROL_NET = "10.99"  # 10.99.<host index>.0/24 behind each host
TOOLS = "iperf3 iputils-ping ethtool"


def sh(host, command, check=True):
    """A shell command in a bench host (docker exec); its output."""
    result = subprocess.run(["docker", "exec", host, "sh", "-c", command], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, check=False)
    if check and result.returncode != 0:
        raise SystemExit("FAILED on %s: %s (rc %d)\n%s" % (host, command, result.returncode, result.stdout[-3000:]))
    return result.stdout


def prepare(hosts, build_image):
    """iperf3, ping and ethtool on the hosts, and the busybox image."""
    for host in hosts:
        sh(host, "for t in iperf3 ping ethtool; do command -v $t >/dev/null || missing=1; done; "
                 "[ -z \"$missing\" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -q %s >/dev/null" % TOOLS)
        sh(host, build_image)


def host_ip(host):
    return sh(host, "ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1").strip()


def start_container(host, image, name=CONTAINER, network=None):
    """A busybox container; its PID (for nsenter) and its address on `network` (default: docker0)."""
    net = "--network %s " % network if network else ""
    sh(host, "docker rm -f %s >/dev/null 2>&1; docker run -d --name %s %s%s /bin/sleep 3600 >/dev/null"
       % (name, name, net, image))
    if network:
        fmt = "{{.State.Pid}} {{(index .NetworkSettings.Networks \"%s\").IPAddress}}" % network
    else:
        fmt = "{{.State.Pid}} {{.NetworkSettings.IPAddress}}"
    pid, ip = sh(host, "docker inspect -f '%s' %s" % (fmt, name)).split()
    return {"pid": pid, "ip": ip}


def remove_container(host, name=CONTAINER):
    sh(host, "docker rm -f %s >/dev/null 2>&1" % name, check=False)


class Path:
    """Where to run the server and client (a netns PID or the host's own), and the target address."""

    def __init__(self, name, target, server_pid=None, client_pid=None):
        self.name, self.target = name, target
        self.server_pid, self.client_pid = server_pid, client_pid

    @staticmethod
    def wrap(pid):
        return "nsenter -t %s -n " % pid if pid else ""


def iperf(server, client, path):
    """One bounded iperf3 TCP run, client to server; Gbit/s received."""
    sh(server, "%siperf3 -s -1 -D" % path.wrap(path.server_pid))
    time.sleep(1)
    args = (path.wrap(path.client_pid), IPERF_SECONDS + 20, path.target, IPERF_SECONDS)
    out = sh(client, "%stimeout %d iperf3 -c %s -t %d -J" % args)
    return json.loads(out)["end"]["sum_received"]["bits_per_second"] / 1e9


def ping(client, path):
    """PING_COUNT echo requests PING_INTERVAL s apart; the RTTs in ms (lost ones left out)."""
    out = sh(client, "%sping -n -c %d -i %s -W 1 %s" % (path.wrap(path.client_pid), PING_COUNT, PING_INTERVAL,
                                                        path.target), check=False)
    return [float(x) for x in re.findall(r"time=([\d.]+) ms", out)]


def measure(server, client, paths, rounds):
    """Each round: every path once (iperf3, then ping), the order rotating. Medians and all runs."""
    runs = {p.name: {"gbps": [], "rtt_ms": [], "ping_sent": 0} for p in paths}
    for rnd in range(rounds):
        order = paths[rnd % len(paths):] + paths[:rnd % len(paths)]
        for path in order:
            runs[path.name]["gbps"].append(round(iperf(server, client, path), 3))
        for path in order:
            rtts = ping(client, path)
            runs[path.name]["rtt_ms"].append(rtts)
            runs[path.name]["ping_sent"] += PING_COUNT
    out = {}
    for name, r in runs.items():
        rtts = [x for one in r["rtt_ms"] for x in one]
        out[name] = {
            "gbps_median": round(statistics.median(r["gbps"]), 2),
            "gbps_runs": r["gbps"],
            "rtt_ms_median": round(statistics.median(rtts), 3) if rtts else None,
            "rtt_ms_avg": round(statistics.mean(rtts), 3) if rtts else None,
            "rtt_ms_rounds_median": [round(statistics.median(one), 3) if one else None for one in r["rtt_ms"]],
            "ping_sent": r["ping_sent"], "ping_received": len(rtts),
        }
    return out


# --- what the datapath looks like on a host (for finding where a path loses) ----------------------

def iptables_counters(host):
    """{(table, chain, rule): packets} from iptables-save -c."""
    counters, table = {}, None
    for line in sh(host, "iptables-save -c", check=False).splitlines():
        if line.startswith("*"):
            table = line[1:]
        m = re.match(r"\[(\d+):(\d+)\] -A (\S+) (.*)", line)
        if m:
            counters[(table, m.group(3), m.group(4))] = int(m.group(1))
    return counters


def rules_hit(before, after):
    """The rules whose packet counter moved between two iptables_counters, busiest first."""
    moved = [("%s %s %s" % key, after[key] - before.get(key, 0)) for key in after if after[key] > before.get(key, 0)]
    return [{"rule": rule, "packets": n} for rule, n in sorted(moved, key=lambda x: -x[1])]


OFFLOADS = ("tx-checksumming", "tcp-segmentation-offload", "generic-segmentation-offload",
            "generic-receive-offload", "rx-gro-list", "rx-udp-gro-forwarding")


def offloads(host, dev, pid=None):
    wrap = Path.wrap(pid)
    out = sh(host, "%sethtool -k %s 2>/dev/null" % (wrap, dev), check=False)
    return {k: v for k, v in re.findall(r"^(\S+): (on|off)", out, re.M) if k in OFFLOADS}


def links(host, pid=None):
    """{device: {mtu, kind}} in the host's (or a container's) network namespace."""
    out = sh(host, "%sip -d -j link show" % Path.wrap(pid), check=False)
    try:
        data = json.loads(out)
    except ValueError:
        return {}
    return {d["ifname"]: {"mtu": d.get("mtu"), "kind": (d.get("linkinfo") or {}).get("info_kind", "")} for d in data}


def host_state(host, container_pid=None):
    """MTUs, offloads, subnet.env, dockerd's command line, sysctls, conntrack and FORWARD policy."""
    devs = links(host)
    state = {
        "links": {k: v for k, v in devs.items() if k in ("eth0", "docker0", "flannel.1", "docker_gwbridge")
                  or k.startswith(("veth", "bctl"))},
        "subnet_env": sh(host, "cat /run/flannel/subnet.env 2>/dev/null", check=False).split(),
        "dockerd": sh(host, "ps -o args= -C dockerd", check=False).strip(),
        "sysctl": {},
        "offloads": {dev: offloads(host, dev) for dev in ("eth0", "docker0", "flannel.1") if dev in devs},
        "forward_policy": sh(host, "iptables -S FORWARD | head -1", check=False).strip(),
        "conntrack_count": sh(host, "cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null", check=False).strip(),
    }
    for key in ("net.bridge.bridge-nf-call-iptables", "net.ipv4.ip_forward", "net.core.netdev_max_backlog"):
        state["sysctl"][key] = sh(host, "cat /proc/sys/%s 2>/dev/null || echo unset" % key.replace(".", "/"),
                                  check=False).strip()
    if container_pid:
        state["container_links"] = links(host, container_pid)
        state["container_offloads"] = {"eth0": offloads(host, "eth0", container_pid)}
    return state


# --- the control path: plain static routes between the same two containers -------------------------

def control_up(hosts, containers, ips):
    """A veth pair per container (bctl0 in the host, eth1 in the container, 10.99.<n>.0/24, no bridge)
    and a static route on each host to the other's 10.99 subnet via its eth0. Docker's FORWARD policy
    is DROP: two first rules accept this traffic, so it crosses FORWARD (and conntrack) like the
    flannel paths but no docker0 bridge, no flannel rule."""
    for n, host in enumerate(hosts, start=1):
        pid = containers[host]["pid"]
        sh(host, "ip link del bctl0 2>/dev/null; ip link add bctl0 type veth peer name eth1 netns %s && "
                 "ip addr add %s.%d.1/24 dev bctl0 && ip link set bctl0 up && "
                 "nsenter -t %s -n sh -c 'ip addr add %s.%d.2/24 dev eth1 && ip link set eth1 up && "
                 "ip route add %s.0.0/16 via %s.%d.1'"
           % (pid, CONTROL_NET, n, pid, CONTROL_NET, n, CONTROL_NET, CONTROL_NET, n))
        for other_n, other in enumerate(hosts, start=1):
            if other != host:
                sh(host, "ip route replace %s.%d.0/24 via %s" % (CONTROL_NET, other_n, ips[other]))
        sh(host, "iptables -C FORWARD -s %s.0.0/16 -j ACCEPT 2>/dev/null || iptables -I FORWARD 1 -s %s.0.0/16 -j ACCEPT; "
                 "iptables -C FORWARD -d %s.0.0/16 -j ACCEPT 2>/dev/null || iptables -I FORWARD 1 -d %s.0.0/16 -j ACCEPT"
           % ((CONTROL_NET,) * 4))
    return "%s.1.2" % CONTROL_NET


def control_down(hosts):
    for host in hosts:
        sh(host, "ip link del bctl0 2>/dev/null; for o in 1 2 3; do ip route del %s.$o.0/24 2>/dev/null; done; "
                 "iptables -D FORWARD -s %s.0.0/16 -j ACCEPT 2>/dev/null; iptables -D FORWARD -d %s.0.0/16 -j ACCEPT 2>/dev/null; "
                 "true" % (CONTROL_NET, CONTROL_NET, CONTROL_NET), check=False)


# --- the baseline: Docker swarm mode's overlay network --------------------------------------------

def swarm_up(manager, worker, image, underlay_cidr):
    """swarm init on the manager, join from the worker, an attachable overlay network and a
    container on it on both hosts. Returns (containers, facts) or raises SystemExit with the error."""
    import ipaddress  # pylint: disable=import-outside-toplevel
    if ipaddress.ip_network(SWARM_SUBNET).overlaps(ipaddress.ip_network(underlay_cidr)) or \
            ipaddress.ip_network(SWARM_SUBNET).overlaps(ipaddress.ip_network("10.244.0.0/16")):
        raise SystemExit("swarm subnet %s overlaps the underlay %s or flannel's network" % (SWARM_SUBNET, underlay_cidr))
    ip = host_ip(manager)
    sh(manager, "docker swarm init --advertise-addr %s >/dev/null" % ip)
    token = sh(manager, "docker swarm join-token -q worker").strip()
    sh(worker, "docker swarm join --advertise-addr %s --token %s %s:2377 >/dev/null" % (host_ip(worker), token, ip))
    sh(manager, "docker network create -d overlay --attachable --subnet %s %s >/dev/null" % (SWARM_SUBNET, SWARM_NETWORK))
    containers = {}
    for host in (manager, worker):
        containers[host] = start_container(host, image, SWARM_CONTAINER, SWARM_NETWORK)
    facts = {
        "docker_version": sh(manager, "docker version -f '{{.Server.Version}}'").strip(),
        "nodes": sh(manager, "docker node ls --format '{{.Hostname}} {{.Status}} {{.ManagerStatus}}'").split("\n"),
        "container_mtu": links(worker, containers[worker]["pid"]),
    }
    return containers, facts


def swarm_down(hosts):
    """Containers off, both hosts out of the swarm, docker_gwbridge removed (its FORWARD/NAT rules go
    with it): the host-gw phase then runs on the same rules as before the swarm."""
    for host in hosts:
        remove_container(host, SWARM_CONTAINER)
    for host in reversed(hosts):
        sh(host, "docker swarm leave --force >/dev/null 2>&1; true", check=False)
    for host in hosts:
        sh(host, "docker network rm docker_gwbridge >/dev/null 2>&1; true", check=False)


# --- the whole datapath part ------------------------------------------------------------------------

def phase(server, client, paths, rounds, containers):
    """measure() with the iptables rules the phase's traffic hit and the state of both hosts."""
    before = {h: iptables_counters(h) for h in (server, client)}
    figures = measure(server, client, paths, rounds)
    return {
        "paths": figures,
        "order": [p.name for p in paths],
        "rules_hit": {h: rules_hit(before[h], iptables_counters(h))[:15] for h in (server, client)},
        "state": {h: host_state(h, containers[h]["pid"] if containers else None) for h in (server, client)},
    }


def run_datapath(out, hosts, rounds, image, build_image, underlay_cidr, switch_to_hostgw, log):
    """vxlan, then swarm beside vxlan, then (swarm gone) host-gw with the control. Fills `out` as it
    goes (what was measured stays when a later step fails); a failing swarm is recorded (its error
    text) and the rest still runs."""
    server, client = hosts[0], hosts[1]
    pair = [server, client]
    out.update({"rounds": rounds, "iperf_seconds": IPERF_SECONDS, "ping": "%d x %ss" % (PING_COUNT, PING_INTERVAL),
                "underlay_cidr": underlay_cidr, "phases": {}})
    prepare(pair, build_image)
    ips = {h: host_ip(h) for h in pair}
    underlay = Path("underlay", ips[server])

    log("datapath: vxlan vs underlay, %d rounds" % rounds)
    c = {h: start_container(h, image) for h in pair}
    vxlan = Path("vxlan", c[server]["ip"], c[server]["pid"], c[client]["pid"])
    out["phases"]["vxlan"] = phase(server, client, [underlay, vxlan], rounds, c)

    log("datapath: swarm overlay beside vxlan, %d rounds" % rounds)
    try:
        sc, out["swarm"] = swarm_up(server, client, image, underlay_cidr)
        swarm = Path("swarm", sc[server]["ip"], sc[server]["pid"], sc[client]["pid"])
        out["phases"]["swarm"] = phase(server, client, [underlay, vxlan, swarm], rounds, sc)
    except SystemExit as exc:
        out["swarm_error"] = str(exc)
        log("datapath: swarm failed: %s" % str(exc).splitlines()[0])
    finally:
        swarm_down(pair)
    out["forward_rules_after_swarm"] = {h: sh(h, "iptables -S FORWARD | wc -l").strip() for h in pair}
    for host in pair:
        remove_container(host)

    log("datapath: switch to host-gw")
    out["switch_to_hostgw_s"] = switch_to_hostgw()
    log("datapath: host-gw and the static-route control vs underlay, %d rounds" % rounds)
    c = {h: start_container(h, image) for h in pair}
    hostgw = Path("host-gw", c[server]["ip"], c[server]["pid"], c[client]["pid"])
    try:
        control = Path("control", control_up(pair, c, ips), c[server]["pid"], c[client]["pid"])
        out["phases"]["hostgw"] = phase(server, client, [underlay, hostgw, control], rounds, c)
    finally:
        control_down(pair)
        for host in pair:
            remove_container(host)
    out["ratios"] = ratios(out["phases"])


def ratios(phases):
    """Throughput ratios of medians. Within a phase the paths saw the same load; host-gw / swarm
    crosses phases, so it is also given normalised by each phase's underlay."""
    def med(ph, path):
        return phases.get(ph, {}).get("paths", {}).get(path, {}).get("gbps_median")

    def div(a, b):
        return round(a / b, 3) if a and b else None

    r = {
        "vxlan/underlay": div(med("vxlan", "vxlan"), med("vxlan", "underlay")),
        "host-gw/underlay": div(med("hostgw", "host-gw"), med("hostgw", "underlay")),
        "control/underlay": div(med("hostgw", "control"), med("hostgw", "underlay")),
        "host-gw/control": div(med("hostgw", "host-gw"), med("hostgw", "control")),
        "vxlan/swarm": div(med("swarm", "vxlan"), med("swarm", "swarm")),
        "host-gw/swarm": div(med("hostgw", "host-gw"), med("swarm", "swarm")),
    }
    r["host-gw/swarm (per underlay)"] = div(r["host-gw/underlay"],
                                            div(med("swarm", "swarm"), med("swarm", "underlay")))
    return r


def table(dp):
    """The datapath table as lines of text."""
    lines = ["%-8s %-9s %8s  %-38s %8s %8s %8s" % ("phase", "path", "Gbit/s", "iperf3 runs (Gbit/s)", "/underl.",
                                                   "ping med", "ping avg")]
    for ph_name, ph in dp.get("phases", {}).items():
        under = ph["paths"].get("underlay", {}).get("gbps_median")
        for name in ph["order"]:
            p = ph["paths"][name]
            lines.append("%-8s %-9s %8.2f  %-38s %8s %8s %8s" % (
                ph_name, name, p["gbps_median"], " ".join("%.2f" % x for x in p["gbps_runs"]),
                "%.3f" % (p["gbps_median"] / under) if under else "-",
                "%.3f" % p["rtt_ms_median"] if p["rtt_ms_median"] is not None else "-",
                "%.3f" % p["rtt_ms_avg"] if p["rtt_ms_avg"] is not None else "-"))
    lines.append("ratios of medians: " + ", ".join("%s %s" % (k, v) for k, v in ratios(dp.get("phases", {})).items()))
    if dp.get("swarm_error"):
        lines.append("swarm failed: " + dp["swarm_error"].replace("\n", " | ")[:600])
    return lines
