"""After side_effect.yml: node4 joined and left again; the old hosts still run the whole stack."""

import pytest


def _is_spare(host):
    return "spare" in host.ansible.get_variables().get("group_names", [])


def test_old_hosts_run_the_stack(host):
    if _is_spare(host):
        pytest.skip("node4 was removed")
    for unit in ("etcd", "flanneld", "docker"):
        assert host.service(unit).is_running, unit


def test_etcd_has_three_members(host):
    if _is_spare(host):
        pytest.skip("node4 was removed")
    members = host.check_output("etcdctl --endpoints http://127.0.0.1:2379 member list").splitlines()
    assert len(members) == 3
    assert not any("node4" in m for m in members)


def test_removed_host_is_clean(host):
    if not _is_spare(host):
        pytest.skip("only node4 was removed")
    for path in ("/opt/flannel", "/etc/flannel", "/usr/bin/flanneld", "/opt/etcd", "/usr/local/bin/etcd",
                 "/etc/systemd/system/flanneld.service", "/etc/systemd/system/etcd.service",
                 "/etc/systemd/system/docker.service.d/flannel.conf", "/var/lib/etcd"):
        assert not host.file(path).exists, path
    assert host.run("update-alternatives --query flanneld").rc != 0
    assert host.service("docker").is_running
    assert host.check_output("ip -o -4 addr show dev docker0 | awk '{print $4}'") == "172.17.0.1/16"
    assert "FLANNEL" not in host.check_output("iptables-save")
