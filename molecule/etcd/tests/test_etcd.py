"""The etcd cluster the role built: health, membership, files, versions, TLS and auth."""

import json
import re

import pytest

CA = "/etc/etcd/pki/ca.crt"
ROOT = "root:molecule-root-secret"
FLANNEL = "flannel:molecule-flannel-secret"
PREFIX = "/coreos.com/network/"


def etcdctl(host, *args, cert="client", user=None):
    """Run etcdctl against the local member, as flannel's client certificate by default."""
    cmd = ["etcdctl", "--endpoints", "https://127.0.0.1:2379", "--dial-timeout", "5s", "--cacert", CA]
    if cert:
        cmd += ["--cert", "/etc/etcd/pki/%s.crt" % cert, "--key", "/etc/etcd/pki/%s.key" % cert]
    if user:
        cmd = ["env", "ETCDCTL_USER=" + user] + cmd
    cmd += list(args)
    return host.run(" ".join(["%s"] * len(cmd)), *cmd)


def test_service_runs_as_configured(host):
    assert host.service("etcd").is_running
    assert host.service("etcd").is_enabled
    props = host.run("systemctl show etcd -p Type -p User -p LimitNOFILE -p Restart").stdout.split()
    assert "Type=notify" in props and "User=etcd" in props
    assert "LimitNOFILE=65536" in props and "Restart=on-failure" in props


def test_cluster_is_healthy(host):
    out = etcdctl(host, "endpoint", "health", "--cluster")
    assert out.rc == 0, out.stderr
    assert len(re.findall(r"^https://\S+ is healthy", out.stdout, re.M)) == 3, out.stdout


def test_member_list_has_three_started_members(host):
    out = etcdctl(host, "member", "list", "--write-out", "json")
    assert out.rc == 0, out.stderr
    members = json.loads(out.stdout)["members"]
    assert len(members) == 3
    assert all(m.get("name") and m["clientURLs"][0].startswith("https://") for m in members)


def test_listens_on_its_address_and_loopback_only(host):
    addresses = {s.split(":")[0] for s in host.run("ss -Htln 'sport = :2379'").stdout.split() if ":2379" in s}
    assert "127.0.0.1" in addresses and len(addresses) == 2, addresses
    assert not {"0.0.0.0", "*", "[::]"} & addresses


def test_data_dir_is_private(host):
    data = host.file("/var/lib/etcd/data")
    assert data.is_directory and data.user == "etcd" and data.mode == 0o700
    assert host.file("/var/lib/etcd/data/member").is_directory


@pytest.mark.parametrize("name", ["member.key", "client.key"])
def test_key_files_are_0600_etcd(host, name):
    key = host.file("/etc/etcd/pki/" + name)
    assert key.user == "etcd" and key.mode == 0o600


def test_binaries_come_from_the_selected_version_dir(host):
    version = re.search(r"etcd Version: (\S+)", host.check_output("etcd --version")).group(1)
    for name in ("etcd", "etcdctl", "etcdutl"):
        target = host.check_output("readlink -f /usr/local/bin/%s" % name)
        assert target == "/opt/etcd/v%s/%s" % (version, name)
    query = host.check_output("update-alternatives --query etcd")
    major, minor, patch = (int(n) for n in version.split("."))
    # Priority major*1000000 + minor*1000 + patch (one rule for etcd and flannel), so the newest wins in auto mode.
    assert "Alternative: /opt/etcd/v%s/etcd\nPriority: %d" % (version, major * 1000000 + minor * 1000 + patch) in query


def test_clients_without_a_certificate_are_refused(host):
    # How the refusal reads depends on the etcdctl version (bad certificate, broken pipe, timeout).
    assert etcdctl(host, "get", PREFIX + "config", cert=None).rc != 0
    assert etcdctl(host, "get", PREFIX + "config").rc == 0


def test_flannel_user_is_confined_to_its_prefix(host):
    key = PREFIX + "molecule-" + host.backend.get_hostname()
    ok = etcdctl(host, "put", key, "yes", user=FLANNEL)
    assert ok.rc == 0, ok.stderr
    assert etcdctl(host, "get", "--print-value-only", key, user=FLANNEL).stdout.strip() == "yes"
    denied = etcdctl(host, "put", "/outside-flannel", "no", user=FLANNEL)
    assert denied.rc != 0 and "permission denied" in denied.stderr


def test_flannel_certificate_alone_maps_to_the_flannel_user(host):
    assert etcdctl(host, "get", PREFIX + "config").rc == 0
    denied = etcdctl(host, "put", "/outside-flannel", "no")
    assert denied.rc != 0 and "permission denied" in denied.stderr


def test_anonymous_and_wrong_passwords_are_refused(host):
    assert etcdctl(host, "put", "/x", "y", cert="member", user="flannel:wrong").rc != 0
    assert "permission denied" in etcdctl(host, "put", "/x", "y", cert="member").stderr


def test_root_can_manage_users(host):
    out = etcdctl(host, "user", "list", cert="member", user=ROOT)
    assert out.rc == 0, out.stderr
    assert set(out.stdout.split()) >= {"root", "flannel"}
