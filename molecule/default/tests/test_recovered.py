"""After the failures of side_effect.yml: every host runs the whole stack again, on its lease."""

import re

import pytest

UNITS = ("etcd", "flanneld", "docker")


@pytest.mark.parametrize("unit", UNITS)
def test_unit_is_active_and_enabled(host, unit):
    service = host.service(unit)
    assert service.is_running, unit
    assert service.is_enabled, unit


def test_docker0_carries_the_lease(host):
    env = host.file("/run/flannel/subnet.env").content_string
    subnet = re.search(r"^FLANNEL_SUBNET=(\S+)$", env, re.M).group(1)
    bridge = host.check_output("ip -o -4 addr show dev docker0 | awk '{print $4}'")
    assert bridge == subnet


def test_units_never_give_up(host):
    # flanneld and docker keep retrying while etcd or flanneld's lease is missing.
    for unit in ("flanneld", "docker"):
        limit = host.check_output(f"systemctl show --property=StartLimitIntervalUSec --value {unit}")
        assert limit in ("0", "infinity"), f"{unit}: StartLimitIntervalUSec={limit}"
    assert host.check_output("systemctl show --property=Restart --value flanneld") == "on-failure"


def test_docker_does_not_require_flanneld(host):
    # Wants, not Requires: restarting flanneld must not restart docker.
    requires = host.check_output("systemctl show --property=Requires --value docker").split()
    wants = host.check_output("systemctl show --property=Wants --value docker").split()
    assert "flanneld.service" not in requires
    assert "flanneld.service" in wants
