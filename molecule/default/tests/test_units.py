"""What site.yml leaves in systemd, which the overlay tests do not look at: no failed unit, the
services enabled for the next boot and ordered etcd -> flanneld -> docker, and Docker's vendor unit
untouched (the docker role's settings live in a drop-in)."""


def unit_property(node, unit, prop):
    return node.run("systemctl show --property=%s --value %s" % (prop, unit)).split()


def test_no_unit_failed(nodes):
    failed = {}
    for node in nodes:
        units = [line.split()[0] for line in node.run("systemctl list-units --failed --no-legend --plain").splitlines() if line.strip()]
        if units:
            failed[node.name] = units
    assert not failed, failed


def test_services_start_at_boot(nodes):
    for node in nodes:
        for unit in ("flanneld", "docker"):
            assert node.run("systemctl is-enabled %s" % unit).strip() == "enabled", (node.name, unit)
        # Only etcd members have the unit.
        if node.host.run("systemctl list-unit-files --no-legend etcd.service").stdout.strip():
            assert node.run("systemctl is-enabled etcd").strip() == "enabled", node.name


def test_boot_order_etcd_flanneld_docker(nodes):
    for node in nodes:
        assert "etcd.service" in unit_property(node, "flanneld", "After"), node.name
        assert "flanneld.service" in unit_property(node, "docker", "After"), node.name
        # Wants, not Requires: a flanneld restart must not take docker and its containers down.
        assert "flanneld.service" in unit_property(node, "docker", "Wants"), node.name
        assert "flanneld.service" not in unit_property(node, "docker", "Requires"), node.name


def test_docker_vendor_unit_untouched(nodes):
    for node in nodes:
        unit = node.run("systemctl show --property=FragmentPath --value docker").strip()
        owner = node.run("dpkg -S %s" % unit).split(":")[0]
        # dpkg --verify prints one line per file that differs from the package: none may be the unit.
        changed = node.run("dpkg --verify %s || true" % owner)
        assert unit not in changed, (node.name, changed)
        assert "/etc/systemd/system/docker.service.d/flannel.conf" in unit_property(node, "docker", "DropInPaths"), node.name
