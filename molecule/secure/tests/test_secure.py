"""The secure cluster site.yml built: etcd apart from the flannel hosts, TLS for clients and peers,
authentication on, flannel confined to its prefix. Each check talks to the hosts with `docker exec`
(testinfra's docker backend) and runs once, not once per host."""

import json
import os
import shlex

import pytest
import testinfra
import testinfra.utils.ansible_runner

PKI = "/etc/etcd/pki"
FLANNEL_PKI = "/etc/flannel/pki"
PREFIX = "/coreos.com/network/"


def _group(name):
    runner = testinfra.utils.ansible_runner.AnsibleRunner(os.environ["MOLECULE_INVENTORY_FILE"])
    return sorted(runner.get_hosts(name))


@pytest.fixture(scope="module")
def etcd():
    (name,) = _group("etcd")
    return testinfra.get_host("docker://" + name)


@pytest.fixture(scope="module")
def flannel_hosts():
    return [testinfra.get_host("docker://" + name) for name in _group("flannel")]


def cluster_address(host):
    dev = json.loads(host.check_output("ip -j -4 route show default"))[0]["dev"]
    return json.loads(host.check_output("ip -j -4 addr show dev " + dev))[0]["addr_info"][0]["local"]


def etcdctl(host, *args, cert="client", user=None):
    """etcdctl against the local member; by default as flannel (the client certificate, CN flannel)."""
    cmd = ["etcdctl", "--endpoints", "https://127.0.0.1:2379", "--dial-timeout", "5s",
           "--command-timeout", "5s", "--cacert", PKI + "/ca.crt"]
    if cert:
        cmd += ["--cert", "%s/%s.crt" % (PKI, cert), "--key", "%s/%s.key" % (PKI, cert)]
    cmd += list(args)
    env = "ETCDCTL_USER=%s " % shlex.quote(user) if user else ""
    return host.run(env + " ".join(shlex.quote(c) for c in cmd))


def test_the_groups_are_apart():
    assert not set(_group("etcd")) & set(_group("flannel"))
    assert len(_group("flannel")) == 2


# 1. Private keys: 0600 and owned by the service that reads them.
@pytest.mark.parametrize("name", ["member.key", "client.key"])
def test_etcd_keys_are_0600_and_etcds(etcd, name):
    key = etcd.file("%s/%s" % (PKI, name))
    assert key.exists and key.user == "etcd" and key.group == "etcd" and key.mode == 0o600, \
        (name, key.user, key.group, oct(key.mode))


def test_flannel_key_is_0600_and_roots(flannel_hosts):
    # flanneld runs as root (flanneld.service has no User=), so root owns its key.
    for host in flannel_hosts:
        key = host.file(FLANNEL_PKI + "/client-key.pem")
        assert key.exists and key.user == "root" and key.group == "root" and key.mode == 0o600, \
            (host.backend.get_hostname(), key.user, key.group, oct(key.mode))


def test_flanneld_uses_its_certificate_not_a_password(flannel_hosts):
    for host in flannel_hosts:
        assert not host.file("/etc/flannel/etcd-auth.env").exists
        opts = host.file("/etc/default/flannel").content_string
        assert "-etcd-keyfile=%s/client-key.pem" % FLANNEL_PKI in opts
        assert "https://" in opts and "http://" not in opts


# 3. The flannel user (flanneld's certificate names it) writes its prefix and nothing else.
def test_flannel_user_cannot_write_outside_its_prefix(etcd, flannel_hosts):
    # The member's copy of the client certificate is the one on the flannel hosts.
    sums = {h.check_output("sha256sum < %s/client.pem" % FLANNEL_PKI) for h in flannel_hosts}
    assert sums == {etcd.check_output("sha256sum < %s/client.crt" % PKI)}
    for key in ("/outside-the-prefix", "/coreos.com/network2/config", "/coreos.com/networ"):
        out = etcdctl(etcd, "put", key, "x")
        assert out.rc != 0 and "permission denied" in out.stderr, (key, out.rc, out.stdout, out.stderr)
    inside = etcdctl(etcd, "put", PREFIX + "molecule-probe", "x")
    assert inside.rc == 0, inside.stderr
    assert etcdctl(etcd, "del", PREFIX + "molecule-probe").rc == 0
    # Root may write there: the refusals above come from the flannel user's role, not from TLS.
    root = etcdctl(etcd, "put", "/outside-the-prefix", "x", cert="member", user="root:" + _root_password())
    assert root.rc == 0, root.stderr
    assert etcdctl(etcd, "del", "/outside-the-prefix", cert="member", user="root:" + _root_password()).rc == 0


def _root_password():
    runner = testinfra.utils.ansible_runner.AnsibleRunner(os.environ["MOLECULE_INVENTORY_FILE"])
    return runner.get_variables(_group("etcd")[0])["etcd_root_password"]


# 4. etcd listens on the cluster address and loopback, nowhere else.
def test_etcd_listens_on_its_address_and_loopback_only(etcd):
    address = cluster_address(etcd)
    listening = set()
    for line in etcd.check_output("ss -Hltnp").splitlines():
        if '"etcd"' in line:
            listening.add(line.split()[3])
    assert listening == {"%s:2379" % address, "127.0.0.1:2379", "%s:2380" % address}, listening


# 5. No client certificate, no connection: not even with root's password, not even from a flannel host.
def test_a_client_without_a_certificate_is_refused(etcd, flannel_hosts):
    out = etcdctl(etcd, "get", PREFIX + "config", cert=None, user="root:" + _root_password())
    assert out.rc != 0, out.stdout
    assert etcdctl(etcd, "get", PREFIX + "config").rc == 0
    url = "https://%s:2379/version" % cluster_address(etcd)
    for host in flannel_hosts:
        ca = "--cacert %s/ca.pem" % FLANNEL_PKI
        with_cert = host.run("curl -sS --max-time 5 %s --cert %s/client.pem --key %s/client-key.pem %s"
                             % (ca, FLANNEL_PKI, FLANNEL_PKI, url))
        assert with_cert.rc == 0 and "etcdserver" in with_cert.stdout, with_cert.stderr
        without = host.run("curl -sS --max-time 5 %s %s" % (ca, url))
        assert without.rc != 0 and "etcdserver" not in without.stdout, (without.rc, without.stdout)
