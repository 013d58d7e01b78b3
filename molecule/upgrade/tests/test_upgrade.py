"""State left by side_effect.yml: flannel rolled back to v0.28.4, etcd upgraded v3.5.1 -> v3.5.35 -> v3.6.16 -> v3.7.3."""

FLANNEL_OLD = "/opt/flannel/v0.28.4"
FLANNEL_NEW = "/opt/flannel/v0.28.10"


def test_flanneld_alternative_points_to_the_rolled_back_version(host):
    display = host.check_output("update-alternatives --display flanneld")
    assert "manual mode" in display
    assert f"link currently points to {FLANNEL_OLD}/flanneld" in display
    assert f"{FLANNEL_NEW}/flanneld - priority" in display


def test_flanneld_runs_the_rolled_back_binary(host):
    pid = host.check_output("systemctl show flanneld --property=MainPID --value")
    assert int(pid) > 0
    assert host.check_output(f"readlink -f /proc/{pid}/exe") == f"{FLANNEL_OLD}/flanneld"
    version = host.run("/usr/bin/flanneld --version")  # flanneld prints it on stderr
    assert (version.stdout + version.stderr).strip() == "v0.28.4"


def test_newer_flannel_stays_for_the_next_upgrade(host):
    assert host.file(f"{FLANNEL_NEW}/flanneld").is_file


def test_docker_is_on_the_subnet_flanneld_holds(host):
    subnet = host.check_output("sed -n 's/^FLANNEL_SUBNET=//p' /run/flannel/subnet.env")
    bridge = host.check_output("ip -o -4 addr show dev docker0 | awk '{print $4}'")
    assert subnet and bridge == subnet
    assert host.service("docker").is_running


def test_etcd_runs_the_upgraded_version_and_keeps_the_old_ones(host):
    status = host.check_output("etcdctl --endpoints http://127.0.0.1:2379 endpoint status --write-out json")
    assert '"version":"3.7.3"' in status
    assert host.check_output("readlink -f /usr/local/bin/etcd") == "/opt/etcd/v3.7.3/etcd"
    for version in ("v3.5.1", "v3.5.35", "v3.6.16"):
        assert host.file(f"/opt/etcd/{version}/etcd").is_file


def test_etcd_cluster_is_healthy(host):
    assert host.run("etcdctl --endpoints http://127.0.0.1:2379 endpoint health --cluster").rc == 0
