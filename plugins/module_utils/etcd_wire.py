# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""etcd's Cluster messages in protobuf's wire format, for what the etcd3 library's generated code lacks.

The library's protos predate learners (etcd 3.4): its MemberAddRequest has no isLearner, its Member no
isLearner, and it has no MemberPromote. These few messages are small enough to write and read here, field
by field as etcd's api/etcdserverpb/rpc.proto numbers them, and sent through the library's own gRPC channel.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5


def _varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7f
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(data, pos):
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7f) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def fields(data):
    """(field number, value) for every field of a message: an int for a varint, bytes otherwise."""
    pos, out = 0, []
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        number, kind = key >> 3, key & 7
        if kind == _VARINT:
            value, pos = _read_varint(data, pos)
        elif kind == _BYTES:
            length, pos = _read_varint(data, pos)
            value, pos = bytes(data[pos:pos + length]), pos + length
        elif kind in (_FIXED64, _FIXED32):
            size = 8 if kind == _FIXED64 else 4
            value, pos = bytes(data[pos:pos + size]), pos + size
        else:
            raise ValueError('unsupported protobuf wire type %d' % kind)
        out.append((number, value))
    return out


def member_add_request(peer_urls, learner=False):
    """MemberAddRequest: peerURLs = 1 (repeated string), isLearner = 2."""
    out = b''.join(_varint(1 << 3 | _BYTES) + _varint(len(url.encode('utf-8'))) + url.encode('utf-8') for url in peer_urls)
    return out + (_varint(2 << 3 | _VARINT) + _varint(1) if learner else b'')


def member_promote_request(member_id):
    """MemberPromoteRequest: ID = 1."""
    return _varint(1 << 3 | _VARINT) + _varint(member_id)


def member(data):
    """Member: ID = 1, name = 2, peerURLs = 3, clientURLs = 4, isLearner = 5."""
    found = dict(id='', name='', peer_urls=[], client_urls=[], is_learner=False)
    for number, value in fields(data):
        if number == 1:
            found['id'] = '%x' % value
        elif number == 2:
            found['name'] = value.decode('utf-8')
        elif number == 3:
            found['peer_urls'].append(value.decode('utf-8'))
        elif number == 4:
            found['client_urls'].append(value.decode('utf-8'))
        elif number == 5:
            found['is_learner'] = bool(value)
    return found


def members(data, field=2):
    """The members of a MemberListResponse or MemberPromoteResponse (field 2), or a MemberAddResponse (field 3)."""
    return [member(value) for number, value in fields(data) if number == field]


def added_member(data):
    """The member a MemberAddResponse announced (field 2)."""
    return [member(value) for number, value in fields(data) if number == 2][0]
