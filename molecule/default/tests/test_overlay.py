"""The whole stack on every flannel host: flanneld's lease, the overlay device, the installed
release, docker on the lease, and containers reaching each other across hosts."""

import ipaddress
import json
import re

import pytest

CONTAINER = "overlaynet-test"


def lease_key(subnet_env):
    net = ipaddress.ip_interface(subnet_env["FLANNEL_SUBNET"]).network
    return "%s-%d" % (net.network_address, net.prefixlen)


def test_subnet_file_matches_the_lease_in_etcd(nodes):
    prefix = nodes[0].flanneld_env["FLANNELD_ETCD_PREFIX"]
    leases = nodes[0].etcd_get_prefix(prefix + "/subnets/")
    for node in nodes:
        env = node.subnet_env
        key = "%s/subnets/%s" % (prefix, lease_key(env))
        assert key in leases, "%s: no lease %s in etcd (have %s)" % (node.name, key, sorted(leases))
        assert json.loads(leases[key])["PublicIP"] == node.public_ip


def test_every_host_has_its_own_subnet_in_the_network(nodes, network_config):
    subnets = [ipaddress.ip_interface(n.subnet_env["FLANNEL_SUBNET"]).network for n in nodes]
    assert len(set(subnets)) == len(nodes), subnets
    network = ipaddress.ip_network(network_config["Network"])
    for node, subnet in zip(nodes, subnets):
        assert subnet.subnet_of(network), (node.name, subnet, network)
        assert node.subnet_env["FLANNEL_NETWORK"] == str(network)


def test_backend_device(nodes, network_config):
    backend = network_config.get("Backend", {})
    for node in nodes:
        links = {l["ifname"]: l for l in json.loads(node.run("ip -j -d link show"))}
        if backend.get("Type") == "vxlan":
            dev = "flannel.%d" % backend.get("VNI", 1)
            assert dev in links, node.name
            assert "UP" in links[dev]["flags"]
            assert links[dev]["linkinfo"]["info_kind"] == "vxlan"
            assert links[dev]["mtu"] == 1450
            assert node.subnet_env["FLANNEL_MTU"] == "1450"
        elif backend.get("Type") == "host-gw":
            assert not [name for name in links if name.startswith("flannel.")], node.name
            routes = json.loads(node.run("ip -j -4 route show"))
            for peer in nodes:
                if peer is node:
                    continue
                dst = str(ipaddress.ip_interface(peer.subnet_env["FLANNEL_SUBNET"]).network)
                via = [r for r in routes if r["dst"] == dst]
                assert via and via[0].get("gateway") == peer.public_ip, (node.name, dst, via)


def test_alternatives_select_the_installed_release(nodes):
    for node in nodes:
        out = node.run("update-alternatives --display flanneld")
        target = re.search(r"link currently points to (\S+)", out).group(1)
        assert re.fullmatch(r"/opt/flannel/v\d+\.\d+\.\d+/flanneld", target), target
        version = target.split("/")[3]
        assert node.run("/usr/bin/flanneld --version 2>&1").strip() == version
        assert node.host.service("flanneld").is_running
        assert node.host.service("flanneld").is_enabled


def test_docker_runs_on_the_lease(nodes):
    for node in nodes:
        env = node.subnet_env
        args = node.run("ps -o args= -C dockerd").split()
        assert "--bip=" + env["FLANNEL_SUBNET"] in args, (node.name, args)
        assert "--mtu=" + env["FLANNEL_MTU"] in args, (node.name, args)
        # docker masquerades only when flanneld does not.
        masq = "false" if env["FLANNEL_IPMASQ"] == "true" else "true"
        assert "--ip-masq=" + masq in args, (node.name, args)
        addr = json.loads(node.run("ip -j -4 addr show dev docker0"))[0]["addr_info"][0]
        assert "%s/%s" % (addr["local"], addr["prefixlen"]) == env["FLANNEL_SUBNET"]


@pytest.fixture(scope="module")
def containers(nodes, check_image):
    """A container of the check image on every host, serving a page with its hostname (busybox httpd on
    port 8080); {node name: (ip, hostname)}."""
    found = {}
    for node in nodes:
        node.run("docker rm -f %s >/dev/null 2>&1; docker run -d --name %s %s httpd -f -p 8080 -h /etc"
                 % (CONTAINER, CONTAINER, check_image))
        ip = node.run("docker inspect -f '{{.NetworkSettings.Networks.bridge.IPAddress}}' " + CONTAINER).strip()
        found[node.name] = (ip, node.run("docker exec %s hostname" % CONTAINER).strip())
    yield found
    for node in nodes:
        node.host.run("docker rm -f " + CONTAINER)


def test_containers_reach_each_other_across_hosts(nodes, containers):
    """ICMP and TCP from every container to every other host's: a ping, and the peer's page, which must
    hold the peer container's own hostname."""
    failures = []
    for node in nodes:
        mtu = node.run("docker exec %s cat /sys/class/net/eth0/mtu" % CONTAINER).strip()
        assert mtu == node.subnet_env["FLANNEL_MTU"], node.name
        for peer in nodes:
            if peer is node:
                continue
            ip, name = containers[peer.name]
            if node.host.run("docker exec %s ping -c 2 -W 2 %s" % (CONTAINER, ip)).rc != 0:
                failures.append("%s -> %s (%s) ICMP" % (node.name, peer.name, ip))
            page = node.host.run("docker exec %s timeout 3 wget -q -O - http://%s:8080/hostname" % (CONTAINER, ip))
            if page.rc != 0 or page.stdout.strip() != name:
                failures.append("%s -> %s (%s) TCP: %r" % (node.name, peer.name, ip, page.stdout.strip() or page.stderr.strip()))
    assert not failures, failures
