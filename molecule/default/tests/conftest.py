"""Fixtures for the overlay tests: every flannel host of the scenario, reached with `docker exec`
(testinfra's docker backend: much faster than one ansible run per command)."""

import base64
import json
import os
import shlex
import sys

import pytest
import testinfra
import testinfra.utils.ansible_runner

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "..", "tests", "lab"))
import overlay_image  # noqa: E402  pylint: disable=wrong-import-position


def _flannel_hosts():
    runner = testinfra.utils.ansible_runner.AnsibleRunner(os.environ["MOLECULE_INVENTORY_FILE"])
    return sorted(runner.get_hosts("flannel"))


class Node:
    """One flannel host and what flanneld and docker report there."""

    def __init__(self, name):
        self.name = name
        self.host = testinfra.get_host("docker://" + name)

    def run(self, command):
        result = self.host.run(command)
        assert result.rc == 0, "%s: `%s` failed: %s" % (self.name, command, result.stderr)
        return result.stdout

    def env_file(self, path):
        pairs = (line.split("=", 1) for line in self.run("cat " + path).splitlines() if "=" in line)
        return {key: value.strip('"') for key, value in pairs}

    @property
    def subnet_env(self):
        return self.env_file("/run/flannel/subnet.env")

    @property
    def flanneld_env(self):
        return self.env_file("/etc/default/flannel")

    def etcd_get_prefix(self, prefix):
        """{key: value} below prefix, read with etcdctl from this host through flanneld's endpoints,
        as flanneld's user when etcd has authentication on (the failure cases turn it on)."""
        env = self.flanneld_env
        credentials = ""
        if self.host.file("/etc/flannel/etcd-auth.env").exists:
            auth = self.env_file("/etc/flannel/etcd-auth.env")
            credentials = " --user=%s" % shlex.quote(auth["FLANNELD_ETCD_USERNAME"] + ":" + auth["FLANNELD_ETCD_PASSWORD"])
        out = self.run("ETCDCTL_API=3 /usr/local/bin/etcdctl --endpoints=%s%s get --prefix %s -w json"
                       % (shlex.quote(env["FLANNELD_ETCD_ENDPOINTS"]), credentials, shlex.quote(prefix)))
        kvs = json.loads(out).get("kvs", [])
        return {base64.b64decode(kv["key"]).decode(): base64.b64decode(kv["value"]).decode() for kv in kvs}

    @property
    def public_ip(self):
        """The address of the default route's interface: flanneld's choice without -iface."""
        dev = json.loads(self.run("ip -j -4 route show default"))[0]["dev"]
        return json.loads(self.run("ip -j -4 addr show dev " + dev))[0]["addr_info"][0]["local"]


@pytest.fixture(scope="session")
def nodes():
    return [Node(name) for name in _flannel_hosts()]


@pytest.fixture(scope="session")
def network_config(nodes):
    prefix = nodes[0].flanneld_env["FLANNELD_ETCD_PREFIX"]
    return json.loads(nodes[0].etcd_get_prefix(prefix + "/config")[prefix + "/config"])


@pytest.fixture(scope="session")
def check_image(nodes):
    """The image of playbooks/tasks/overlay_image.yml on every host (built there if missing); its tag."""
    tag, build = overlay_image.recipe()
    for node in nodes:
        node.run(build)
    return tag
