# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's one etcd v3 client: endpoints with failover, TLS, auth, clear errors.

Modules use EtcdClient (or connect_from_module) and never talk to the etcd3
library directly, so connection behaviour and error wording stay the same
everywhere.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

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
    import grpc
except Exception:  # pylint: disable=broad-except
    # Not only ImportError: a protobuf mismatch surfaces as TypeError at import time.
    HAS_ETCD3 = False
    ETCD3_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_ETCD3 = True
    ETCD3_IMPORT_ERROR = None

from ansible.module_utils.basic import missing_required_lib

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
                 user=None, password=None, timeout=DEFAULT_TIMEOUT):
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
        self.endpoint = None
        self._client = None
        for endpoint in self.endpoints:
            if endpoint.scheme == 'http' and (ca_cert or client_cert):
                raise EtcdUsageError('endpoints: %s is plain http but ca_cert/client_cert are set: '
                                     'use https:// (or host:port) for TLS endpoints' % endpoint)

    @classmethod
    def from_params(cls, params):
        return cls(
            endpoints=params.get('endpoints') or DEFAULT_ENDPOINTS,
            ca_cert=params.get('ca_cert'),
            client_cert=params.get('client_cert'),
            client_key=params.get('client_key'),
            user=params.get('user'),
            password=params.get('password'),
            timeout=params.get('timeout', DEFAULT_TIMEOUT),
        )

    def _uses_tls(self, endpoint):
        if endpoint.scheme:
            return endpoint.scheme == 'https'
        return bool(self.ca_cert or self.client_cert)

    def _open(self, endpoint):
        ca_cert = None
        if self._uses_tls(endpoint):
            ca_cert = self.ca_cert or _Etcd3Client.SYSTEM_ROOTS
        client = _Etcd3Client(
            host=endpoint.host, port=endpoint.port, ca_cert=ca_cert,
            cert_key=self.client_key, cert_cert=self.client_cert,
            timeout=self.timeout, user=self.user, password=self._password)
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
            except EtcdUsageError:
                raise
            except Exception as exc:  # pylint: disable=broad-except
                kind, cause = _describe_failure(exc, uses_tls)
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

    def __enter__(self):
        return self.connect()

    def __exit__(self, *exc_info):
        self.close()

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


def connect_from_module(module):
    """Return a connected EtcdClient for module.params, or fail the module with a clear message."""
    if not HAS_ETCD3:
        module.fail_json(msg=missing_required_lib('etcd3'), exception=ETCD3_IMPORT_ERROR)
    try:
        return EtcdClient.from_params(module.params).connect()
    except EtcdConnectError as exc:
        module.fail_json(msg=str(exc), endpoint_errors=[dict(endpoint=e, error=c) for e, c in exc.failures])
    except EtcdError as exc:
        module.fail_json(msg=str(exc))
