# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Support values only: the descriptions come from ansible.builtin.action_common_attributes, which
    # a module lists after this fragment. A module's own attributes: entries (details) are kept on top.

    # A module that changes things: predicts them in check mode and shows them in diff mode.
    DOCUMENTATION = r'''
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
'''

    # A module that only reads, so check mode changes nothing and there is no diff to show.
    READ_ONLY = r'''
attributes:
  check_mode:
    support: full
    details: The module only reads.
  diff_mode:
    support: none
  platform:
    platforms: posix
'''
