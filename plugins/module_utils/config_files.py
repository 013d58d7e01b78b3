# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What config_files reports per file, shared by the module and by its action plugin (which answers
without the module when host_info already saw every file as wanted)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def file_entry(spec, changed=False):
    """One file's result: what was wanted, and whether it changed. `secret` travels with it, so that
    whoever restores the file later knows to hide it too."""
    return dict(dest=spec['dest'], state=spec['state'], owner=spec['owner'], group=spec['group'],
                mode=spec['mode'], secret=spec['secret'], changed=changed)
