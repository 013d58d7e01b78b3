# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's one etcd v3 client: endpoints with failover, TLS, auth, clear errors.

Modules use EtcdClient (or connected_client) and never talk to the etcd3
library directly, so connection behaviour and error wording stay the same
everywhere.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import os
import traceback

# etcd3 0.12 ships protobuf code generated for protobuf 3; the C++/upb runtime of
# protobuf >= 4 refuses it ("Descriptors cannot be created directly") while the
# pure Python runtime accepts it. The choice is made when protobuf is first
# imported, so it has to happen here, before etcd3 pulls protobuf in. setdefault
# keeps an explicit choice of the user.
os.environ.setdefault('PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION', 'python')
# gRPC's C core logs handshake failures to stderr; we turn them into messages ourselves.
os.environ.setdefault('GRPC_VERBOSITY', 'NONE')

try:
    import etcd3
    from etcd3 import etcdrpc
    from etcd3.etcdrpc import auth_pb2
    import grpc
except Exception:  # pylint: disable=broad-except
    # Not only ImportError: a protobuf mismatch surfaces as TypeError at import time.
    HAS_ETCD3 = False
    ETCD3_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_ETCD3 = True
    ETCD3_IMPORT_ERROR = None

from ansible.module_utils.basic import missing_required_lib
from ansible_collections.overlaynet.flannel.plugins.module_utils import etcd_wire

DEFAULT_ENDPOINTS = ['http://127.0.0.1:2379']
DEFAULT_PORT = 2379
DEFAULT_TIMEOUT = 5.0

ETCD_CONNECTION_ARGUMENT_SPEC = dict(
    endpoints=dict(type='list', elements='str', default=DEFAULT_ENDPOINTS),
    ca_cert=dict(type='path'),
    client_cert=dict(type='path'),
    client_key=dict(type='path', no_log=False),
    user=dict(type='str'),
    password=dict(type='str', no_log=True),
    timeout=dict(type='float', default=DEFAULT_TIMEOUT),
)

ETCD_CONNECTION_REQUIRED_TOGETHER = [
    ('client_cert', 'client_key'),
    ('user', 'password'),
]


def etcd_argument_spec(**extra):
    """The connection options merged with a module's own options."""
    spec = dict((name, dict(option)) for name, option in ETCD_CONNECTION_ARGUMENT_SPEC.items())
    spec['endpoints']['default'] = list(DEFAULT_ENDPOINTS)
    spec.update(extra)
    return spec


class EtcdError(Exception):
    """Anything that went wrong talking to etcd; str() is meant for the user."""


class EtcdUsageError(EtcdError):
    """The connection options themselves are wrong (nothing was contacted)."""


class EtcdConnectError(EtcdError):
    """No endpoint could be used. failures lists (endpoint, cause) for each one tried."""

    def __init__(self, message, failures):
        super(EtcdConnectError, self).__init__(message)
        self.failures = failures


class EtcdTLSError(EtcdConnectError):
    """Every endpoint failed the TLS handshake (typically a wrong ca_cert)."""


class EtcdAuthError(EtcdError):
    """etcd rejected the user name or password, or wants credentials that were not given."""


# etcd's permission types, by the names etcdctl and the etcd documentation use.
PERMISSION_TYPES = ('read', 'write', 'readwrite')


def prefix_range_end(prefix):
    """The end (bytes) of the key range that holds exactly the keys starting with prefix, as etcd computes it."""
    data = bytearray(prefix if isinstance(prefix, bytes) else prefix.encode('utf-8'))
    for i in range(len(data) - 1, -1, -1):
        if data[i] < 0xff:
            data[i] += 1
            return bytes(data[:i + 1])
    # Only 0xff bytes: the range is open to the end of the keyspace.
    return b'\0'


class Endpoint:
    """One entry of endpoints, parsed: scheme (or None when not given), host, port."""

    def __init__(self, text):
        self.text = text
        rest = text.strip()
        self.scheme = None
        if '://' in rest:
            self.scheme, rest = rest.split('://', 1)
            self.scheme = self.scheme.lower()
            if self.scheme not in ('http', 'https'):
                raise EtcdUsageError('endpoints: %r has scheme %r: only http:// and https:// are supported'
                                     % (text, self.scheme))
        rest = rest.rstrip('/')
        if not rest or '/' in rest:
            raise EtcdUsageError('endpoints: %r is not of the form host:port, http://host:port or https://host:port'
                                 % text)
        self.host, self.port = self._split_host_port(text, rest)

    @staticmethod
    def _split_host_port(text, rest):
        if rest.startswith('['):
            # IPv6 literal: [fd00::1]:2379
            host, sep, tail = rest.partition(']')
            host += ']'
            port = tail[1:] if tail.startswith(':') else ''
            if tail and not tail.startswith(':'):
                raise EtcdUsageError('endpoints: %r has garbage after the IPv6 address' % text)
        elif rest.count(':') == 1:
            host, port = rest.split(':')
        elif ':' in rest:
            raise EtcdUsageError('endpoints: %r: write IPv6 addresses in brackets, e.g. [fd00::1]:2379' % text)
        else:
            host, port = rest, ''
        if not port:
            return host, DEFAULT_PORT
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise EtcdUsageError('endpoints: %r has an invalid port %r: must be 1-65535' % (text, port))
        return host, int(port)

    def __str__(self):
        return self.text


def _read_file(option, path):
    try:
        with open(path, 'rb') as f:
            return f.read()
    except (IOError, OSError) as exc:
        raise EtcdUsageError('%s: cannot read %s: %s' % (option, path, exc.strerror or exc))


if HAS_ETCD3:
    class _Etcd3Client(etcd3.Etcd3Client):
        """etcd3's client with the two gaps we need closed.

        * https endpoints without ca_cert verify against the system trust store
          (etcd3 only knows TLS with an explicit CA file);
        * with user/password over plain http etcd3 attaches the token as gRPC
          call credentials, which gRPC refuses on insecure channels; the token
          already travels as metadata, which is all etcd needs.
        """

        SYSTEM_ROOTS = object()

        def __init__(self, *args, **kwargs):
            super(_Etcd3Client, self).__init__(*args, **kwargs)
            if not self.uses_secure_channel and self.call_credentials is not None:
                self.call_credentials = None
                self.watcher._credentials = None  # pylint: disable=protected-access

        def _get_secure_creds(self, ca_cert, cert_key=None, cert_cert=None):
            root = None if ca_cert is self.SYSTEM_ROOTS else _read_file('ca_cert', ca_cert)
            key = _read_file('client_key', cert_key) if cert_key else None
            cert = _read_file('client_cert', cert_cert) if cert_cert else None
            return grpc.ssl_channel_credentials(root, key, cert)


def _rpc_text(exc):
    details = exc.details() if hasattr(exc, 'details') else None
    return details or str(exc) or exc.__class__.__name__


def _describe_failure(exc, uses_tls):
    """Map an exception from connecting/probing to (kind, cause for the user)."""
    if not isinstance(exc, grpc.RpcError) or not hasattr(exc, 'code'):
        return 'other', '%s: %s' % (exc.__class__.__name__, exc)
    code, text = exc.code(), _rpc_text(exc)
    lowered = text.lower()
    if 'authentication failed' in lowered or 'invalid user id or password' in lowered:
        return 'auth', 'authentication failed: wrong user or password'
    if 'user name is empty' in lowered or ('token' in lowered and code == grpc.StatusCode.INVALID_ARGUMENT):
        return 'auth', 'authentication is enabled on this etcd: set user and password'
    if 'authentication is not enabled' in lowered:
        return 'auth_off', 'authentication is not enabled on this etcd'
    if code == grpc.StatusCode.PERMISSION_DENIED:
        return 'auth', 'permission denied: %s' % text
    if 'certificate_verify_failed' in lowered or 'certificate verify failed' in lowered:
        return 'tls', ('TLS handshake failed: the server certificate could not be verified against ca_cert '
                       '(wrong CA, or the certificate does not name this host): %s' % text)
    if 'bad_certificate' in lowered or 'certificate required' in lowered or 'unknown_ca' in lowered:
        return 'tls', ('TLS handshake failed: the server rejected our client certificate '
                       '(missing, or not signed by a CA it trusts; check client_cert/client_key): %s' % text)
    if 'handshake' in lowered and uses_tls:
        return 'tls', ('TLS handshake failed (does this endpoint speak TLS? use http:// for a plain one): %s'
                       % text)
    if 'socket closed' in lowered and not uses_tls:
        return 'unreachable', ('connection closed by the server (it may require TLS: use https:// and ca_cert): %s'
                               % text)
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return 'timeout', 'no answer within the timeout: %s' % text
    if 'connection refused' in lowered:
        return 'unreachable', 'connection refused: %s' % text
    return 'unreachable', '%s: %s' % (code.name if hasattr(code, 'name') else code, text)


class EtcdClient:
    """Connects to the first working endpoint and offers the few operations modules need.

    Failover happens when connecting: each endpoint is tried in order until one
    answers a status request (and accepts the credentials). All later calls go
    to that endpoint; etcd forwards writes to its leader itself.
    """

    def __init__(self, endpoints, ca_cert=None, client_cert=None, client_key=None,
                 user=None, password=None, timeout=DEFAULT_TIMEOUT, auth_optional=False):
        if not endpoints:
            raise EtcdUsageError('endpoints: must list at least one etcd endpoint')
        if bool(client_cert) != bool(client_key):
            raise EtcdUsageError('client_cert and client_key: must be given together')
        if (user is None) != (password is None):
            raise EtcdUsageError('user and password: must be given together')
        if timeout is None or timeout <= 0:
            raise EtcdUsageError('timeout: %r must be a positive number of seconds' % (timeout,))
        self.endpoints = [Endpoint(e) for e in endpoints]
        self.ca_cert = ca_cert
        self.client_cert = client_cert
        self.client_key = client_key
        self.user = user
        self._password = password
        self.timeout = timeout
        # Like etcdctl: with auth_optional, credentials are used only when etcd has authentication
        # on, so one set of options works before and after authentication is turned on.
        self.auth_optional = auth_optional
        # True/False once connected with credentials (whether etcd checked them); None without credentials.
        self.auth_enabled = None
        self.endpoint = None
        self._client = None
        for endpoint in self.endpoints:
            if endpoint.scheme == 'http' and (ca_cert or client_cert):
                raise EtcdUsageError('endpoints: %s is plain http but ca_cert/client_cert are set: '
                                     'use https:// (or host:port) for TLS endpoints' % endpoint)

    @classmethod
    def from_params(cls, params, **kwargs):
        return cls(
            endpoints=params.get('endpoints') or DEFAULT_ENDPOINTS,
            ca_cert=params.get('ca_cert'),
            client_cert=params.get('client_cert'),
            client_key=params.get('client_key'),
            user=params.get('user'),
            password=params.get('password'),
            timeout=params.get('timeout', DEFAULT_TIMEOUT),
            **kwargs
        )

    def _uses_tls(self, endpoint):
        if endpoint.scheme:
            return endpoint.scheme == 'https'
        return bool(self.ca_cert or self.client_cert)

    def _open(self, endpoint, anonymous=False):
        ca_cert = None
        if self._uses_tls(endpoint):
            ca_cert = self.ca_cert or _Etcd3Client.SYSTEM_ROOTS
        client = _Etcd3Client(
            host=endpoint.host, port=endpoint.port, ca_cert=ca_cert,
            cert_key=self.client_key, cert_cert=self.client_cert, timeout=self.timeout,
            user=None if anonymous else self.user, password=None if anonymous else self._password)
        try:
            # gRPC connects lazily, so only a call proves the endpoint (and its TLS)
            # works. Status needs no permission on any key, so a user restricted to
            # flannel's prefix passes too; the password was already checked when
            # the client authenticated above.
            client.maintenancestub.Status(etcdrpc.StatusRequest(), self.timeout,
                                          metadata=client.metadata, credentials=client.call_credentials)
        except Exception:
            client.close()
            raise
        return client

    def connect(self):
        """Open a connection to the first endpoint that works; return self."""
        if not HAS_ETCD3:
            raise EtcdError(missing_required_lib('etcd3'))
        failures = []
        for endpoint in self.endpoints:
            uses_tls = self._uses_tls(endpoint)
            try:
                self._client = self._open(endpoint)
                self.auth_enabled = True if self.user else None
            except EtcdUsageError:
                raise
            except Exception as exc:  # pylint: disable=broad-except
                kind, cause = _describe_failure(exc, uses_tls)
                if kind == 'auth_off' and self.auth_optional:
                    try:
                        self._client = self._open(endpoint, anonymous=True)
                    except Exception as again:  # pylint: disable=broad-except
                        kind, cause = _describe_failure(again, uses_tls)
                    else:
                        self.auth_enabled = False
                        self.endpoint = endpoint
                        return self
                if kind == 'auth_off':
                    raise EtcdAuthError('etcd at %s: %s: leave out user and password' % (endpoint, cause))
                if kind == 'auth':
                    # Credentials are cluster-wide: the next endpoint would say the same.
                    raise EtcdAuthError('etcd at %s refused user %r: %s' % (endpoint, self.user, cause)
                                        if self.user else 'etcd at %s: %s' % (endpoint, cause))
                failures.append((str(endpoint), kind, cause))
                continue
            self.endpoint = endpoint
            return self
        raise self._connect_error(failures)

    def _connect_error(self, failures):
        lines = ['%s: %s' % (endpoint, cause) for endpoint, _kind, cause in failures]
        pairs = [(endpoint, cause) for endpoint, _kind, cause in failures]
        if all(kind == 'tls' for _endpoint, kind, _cause in failures):
            head = ('TLS handshake with etcd failed at every endpoint (ca_cert=%s, client_cert=%s)'
                    % (self.ca_cert or 'system trust store', self.client_cert or 'none'))
            return EtcdTLSError('%s: %s' % (head, '; '.join(lines)), pairs)
        return EtcdConnectError('could not use any of the %d etcd endpoint(s): %s'
                                % (len(failures), '; '.join(lines)), pairs)

    def close(self):
        if self._client is not None:
            self._client.close()
            self._client = None

    def _call(self, what, func, *args, **kwargs):
        if self._client is None:
            raise EtcdError('not connected: call connect() first')
        try:
            return func(*args, **kwargs)
        except Exception as exc:  # pylint: disable=broad-except
            cause = exc.__class__.__name__ if not str(exc) else str(exc)
            if HAS_ETCD3 and isinstance(exc, grpc.RpcError):
                cause = _describe_failure(exc, self._uses_tls(self.endpoint))[1]
            raise EtcdError('etcd %s at %s failed: %s' % (what, self.endpoint, cause))

    def get(self, key):
        """Return (value as bytes, lease id or None); (None, None) when the key does not exist."""
        value, meta = self._call('get %s' % key, self._client.get, key)
        if meta is None:
            return None, None
        return value, (meta.lease_id or None)

    def get_revision(self, key):
        """Return (value as bytes or None, the key's mod revision: 0 when it does not exist), for put_if."""
        value, meta = self._call('get %s' % key, self._client.get, key)
        return (None, 0) if meta is None else (value, meta.mod_revision)

    def put_if(self, key, value, mod_revision):
        """Write key (or delete it, value None) only if its mod revision is still mod_revision (0: it does
        not exist): a compare-and-swap, so an edit made since it was read is not overwritten. True when written."""
        txn = self._client.transactions
        if value is None:
            action = txn.delete(key)
        else:
            action = txn.put(key, value if isinstance(value, bytes) else value.encode('utf-8'))
        succeeded, _responses = self._call('compare-and-swap %s' % key, self._client.transaction,
                                           compare=[txn.mod(key) == mod_revision], success=[action], failure=[])
        return bool(succeeded)

    def get_prefix(self, prefix):
        """Return [(key, value bytes, lease id or None)] for every key below prefix, sorted by key."""
        items = self._call('get prefix %s' % prefix, lambda: list(self._client.get_prefix(prefix, sort_order='ascend')))
        result = []
        for value, meta in items:
            key = meta.key.decode('utf-8', 'replace')
            result.append((key, value, meta.lease_id or None))
        return result

    def put(self, key, value):
        if not isinstance(value, bytes):
            value = value.encode('utf-8')
        self._call('put %s' % key, self._client.put, key, value)

    def delete(self, key):
        """Delete key; return True when it existed."""
        return bool(self._call('delete %s' % key, self._client.delete, key))

    def lease_ttl(self, lease_id):
        """Seconds left on a lease, or None when there is no such lease (or it has expired)."""
        if not lease_id:
            return None
        info = self._call('lease time-to-live %s' % lease_id, self._client.get_lease_info, lease_id)
        ttl = getattr(info, 'TTL', -1)
        return ttl if ttl >= 0 else None

    # --- users, roles, permissions, authentication (etcd's Auth service) ---------------------

    def _auth(self, what, method, request):
        stub = etcdrpc.AuthStub(self._client.channel)
        return self._call(what, getattr(stub, method), request, self.timeout,
                          metadata=self._client.metadata, credentials=self._client.call_credentials)

    def users(self):
        """Return {user name: sorted list of its roles} for every user."""
        names = self._auth('user list', 'UserList', etcdrpc.AuthUserListRequest()).users
        return dict((name, sorted(self._auth('user get %s' % name, 'UserGet',
                                             etcdrpc.AuthUserGetRequest(name=name)).roles))
                    for name in names)

    def roles(self):
        """Return {role name: list of permissions}, each a dict of type, key, range_end and prefix.

        prefix is True for a grant on every key that starts with key; range_end is '' for a single key.
        """
        names = self._auth('role list', 'RoleList', etcdrpc.AuthRoleListRequest()).roles
        result = {}
        for name in names:
            perms = self._auth('role get %s' % name, 'RoleGet', etcdrpc.AuthRoleGetRequest(role=name)).perm
            result[name] = sorted(
                (dict(type=auth_pb2.Permission.Type.Name(p.permType).lower(),
                      key=p.key.decode('utf-8', 'replace'), range_end=p.range_end.decode('utf-8', 'replace'),
                      prefix=bool(p.range_end) and p.range_end == prefix_range_end(p.key))
                 for p in perms), key=lambda p: (p['key'], p['range_end'], p['type']))
        return result

    def user_add(self, name, password):
        self._auth('user add %s' % name, 'UserAdd', etcdrpc.AuthUserAddRequest(name=name, password=password))

    def user_change_password(self, name, password):
        self._auth('user passwd %s' % name, 'UserChangePassword',
                   etcdrpc.AuthUserChangePasswordRequest(name=name, password=password))

    def user_grant_role(self, name, role):
        self._auth('user grant-role %s %s' % (name, role), 'UserGrantRole',
                   etcdrpc.AuthUserGrantRoleRequest(user=name, role=role))

    def role_add(self, name):
        self._auth('role add %s' % name, 'RoleAdd', etcdrpc.AuthRoleAddRequest(name=name))

    def role_grant_permission(self, role, perm_type, key, prefix=False):
        """Grant perm_type ('read', 'write' or 'readwrite') on key, or on every key below it with prefix.

        etcd replaces an earlier grant on the same range, whatever its type.
        """
        if perm_type not in PERMISSION_TYPES:
            raise EtcdUsageError('permission type %r: must be one of %s' % (perm_type, ', '.join(PERMISSION_TYPES)))
        key = key.encode('utf-8')
        perm = auth_pb2.Permission(permType=auth_pb2.Permission.Type.Value(perm_type.upper()), key=key,
                                   range_end=prefix_range_end(key) if prefix else b'')
        self._auth('role grant-permission %s %s %s' % (role, perm_type, key.decode('utf-8')), 'RoleGrantPermission',
                   etcdrpc.AuthRoleGrantPermissionRequest(name=role, perm=perm))

    def auth_enable(self):
        self._auth('auth enable', 'AuthEnable', etcdrpc.AuthEnableRequest())

    def authenticates(self, name, password):
        """Whether etcd accepts name/password (only meaningful with authentication on)."""
        stub = etcdrpc.AuthStub(self._client.channel)
        try:
            stub.Authenticate(etcdrpc.AuthenticateRequest(name=name, password=password), self.timeout)
        except grpc.RpcError as exc:
            kind, cause = _describe_failure(exc, self._uses_tls(self.endpoint))
            if kind == 'auth' and 'authentication failed' in cause:
                return False
            raise EtcdError('etcd authenticate %s at %s failed: %s' % (name, self.endpoint, cause))
        return True

    # --- members, status, health ------------------------------------------------------------

    def _cluster_call(self, what, method, request):
        """A Cluster RPC with a request and a response in wire format (etcd_wire): the library's protos
        predate learners."""
        call = self._client.channel.unary_unary('/etcdserverpb.Cluster/%s' % method)
        return self._call(what, call, request, timeout=self.timeout, metadata=self._client.metadata,
                          credentials=self._client.call_credentials)

    def members(self):
        """Return [dict(id, name, peer_urls, client_urls, is_learner)] of the cluster's members, as etcd lists
        them (a member announced but not started yet has no name)."""
        return etcd_wire.members(self._cluster_call('member list', 'MemberList', b''))

    def member_add(self, peer_urls, learner=False):
        """Announce a member by its peer URLs, as a learner (it does not vote, so the quorum stays the same
        until it is promoted) or a voting member; return it as members() lists it."""
        return etcd_wire.added_member(self._cluster_call('member add %s' % ','.join(peer_urls), 'MemberAdd',
                                                         etcd_wire.member_add_request(peer_urls, learner)))

    def member_promote(self, member_id):
        """Make a learner a voting member; etcd refuses while it has not caught up with the leader."""
        return etcd_wire.members(self._cluster_call('member promote %s' % member_id, 'MemberPromote',
                                                    etcd_wire.member_promote_request(int(member_id, 16))))

    def member_remove(self, member_id):
        """Remove the member with this id (hex, as members() gives it)."""
        self._call('member remove %s' % member_id, self._client.clusterstub.MemberRemove,
                   etcdrpc.MemberRemoveRequest(ID=int(member_id, 16)), self.timeout,
                   metadata=self._client.metadata, credentials=self._client.call_credentials)

    def status(self):
        """The connected member's status: version, its id, the leader's id, raft term/index, db size."""
        response = self._call('status', self._client.maintenancestub.Status, etcdrpc.StatusRequest(),
                              self.timeout, metadata=self._client.metadata, credentials=self._client.call_credentials)
        return dict(version=response.version, member_id='%x' % response.header.member_id,
                    leader_id='%x' % response.leader, is_leader=response.leader == response.header.member_id,
                    raft_term=response.raftTerm, raft_index=response.raftIndex, db_size=response.dbSize)

    def snapshot(self, file_obj, timeout=None):
        """Stream the connected member's whole keyspace (etcd's Maintenance.Snapshot) into file_obj; return the
        number of bytes written. etcd sends the database followed by the sha256 of its bytes.

        The etcd3 library's snapshot() gives the whole stream the per-request timeout, which a large keyspace
        outlasts, so the stream has a deadline of its own here (timeout, seconds; default: the client's).
        etcd's failures become EtcdError; a failed write to file_obj raises its own OSError, so that the
        caller can tell a full disk from a failing member.
        """
        responses = self._call('snapshot', self._client.maintenancestub.Snapshot, etcdrpc.SnapshotRequest(),
                               timeout or self.timeout, metadata=self._client.metadata,
                               credentials=self._client.call_credentials)
        written = 0
        while True:
            # gRPC reports a failure of the stream from next(), so each read goes through _call.
            response = self._call('snapshot', next, responses, None)
            if response is None:
                return written
            file_obj.write(response.blob)
            written += len(response.blob)

    def health_errors(self):
        """[] when the member serves a linearizable read and has no alarm raised; else what is wrong.

        The same test as `etcdctl endpoint health`: a read needs the raft leader, and a read that
        etcd refuses for lack of permission still proves the member works.
        """
        errors = []
        try:
            self._client.kvstub.Range(etcdrpc.RangeRequest(key=b'health'), self.timeout,
                                      metadata=self._client.metadata, credentials=self._client.call_credentials)
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.PERMISSION_DENIED:
                errors.append('a linearizable read failed: %s' % _describe_failure(exc, self._uses_tls(self.endpoint))[1])
        try:
            alarms = self._client.maintenancestub.Alarm(
                etcdrpc.AlarmRequest(action=etcdrpc.AlarmRequest.GET, memberID=0, alarm=etcdrpc.NONE),
                self.timeout, metadata=self._client.metadata, credentials=self._client.call_credentials).alarms
        except grpc.RpcError as exc:
            # Listing alarms needs the root role; a user without it cannot see them.
            if exc.code() != grpc.StatusCode.PERMISSION_DENIED:
                errors.append('listing alarms failed: %s' % _describe_failure(exc, self._uses_tls(self.endpoint))[1])
        else:
            errors.extend('alarm %s raised on member %x' % (etcdrpc.AlarmType.Name(a.alarm), a.memberID) for a in alarms)
        return errors


def failure_of(exc, report_auth_failed=False):
    """How a module fails for an EtcdError from connecting: msg, and what the error adds to it."""
    if isinstance(exc, EtcdAuthError):
        return dict(msg=str(exc), **(dict(auth_failed=True) if report_auth_failed else {}))
    if isinstance(exc, EtcdConnectError):
        return dict(msg=str(exc), endpoint_errors=[dict(endpoint=e, error=c) for e, c in exc.failures])
    return dict(msg=str(exc))


@contextlib.contextmanager
def connected_client(module, report_auth_failed=False, **client_options):
    """Yield an EtcdClient connected with module.params, closed again when the block ends.

    Every EtcdError, from connecting or from the block, fails the module with its message, so
    modules word etcd's failures alike. client_options are EtcdClient's (auth_optional). With
    report_auth_failed a refused login also returns auth_failed=true, for modules that document it.
    """
    if not HAS_ETCD3:
        module.fail_json(msg=missing_required_lib('etcd3'), exception=ETCD3_IMPORT_ERROR)
    try:
        client = EtcdClient.from_params(module.params, **client_options).connect()
    except EtcdError as exc:
        module.fail_json(**failure_of(exc, report_auth_failed))
    try:
        yield client
    except EtcdError as exc:
        module.fail_json(msg=str(exc))
    finally:
        client.close()


def probe_endpoint(endpoint, **options):
    """What one endpoint says about itself, never raising for etcd's answers: a dict of endpoint,
    healthy, version, member_id, leader_id, is_leader, raft_term, raft_index, db_size, errors
    (a list of causes for the user; empty when healthy) and auth_failed (etcd refused the
    credentials). options are EtcdClient's."""
    report = dict(endpoint=endpoint, healthy=False, version=None, member_id=None, leader_id=None,
                  is_leader=False, raft_term=None, raft_index=None, db_size=None, errors=[], auth_failed=False)
    client = EtcdClient([endpoint], **options)
    try:
        client.connect()
        report.update(client.status())
        report['errors'] = client.health_errors()
    except EtcdUsageError:
        raise
    except EtcdConnectError as exc:
        report['errors'] = [cause for _endpoint, cause in exc.failures]
    except EtcdAuthError as exc:
        report['errors'] = [str(exc)]
        report['auth_failed'] = True
    except EtcdError as exc:
        report['errors'] = [str(exc)]
    finally:
        client.close()
    report['healthy'] = not report['errors']
    return report
