# -*- coding: utf-8 -*-
# Copyright (c) 2026, overlaynet.flannel contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The table of docs/bad-input.md ("Bad input refused before a host changes") cannot rot silently.

Every row names the test that backs it: a pytest node (file::test or file::test[id]) or a molecule
case (molecule/<scenario>/<file>.yml: <name of a case, task or play>). Each must exist; a molecule case given to
site.yml (molecule/hostgw/side_effect.yml) must expect a text the row's quoted message contains.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TABLE_FILE = os.path.join('docs', 'bad-input.md')
TITLE = '# Bad input refused before a host changes'
MIN_ROWS = 25


def table_rows():
    with open(os.path.join(REPO_ROOT, TABLE_FILE)) as handle:
        text = handle.read()
    assert text.startswith(TITLE + '\n'), '%s does not start with %r' % (TABLE_FILE, TITLE)
    rows = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip('|').split(' | ')]
        if line.startswith('| ') and len(cells) == 5 and cells[0].isdigit():
            rows.append(cells)
    return rows


def references(cell):
    return re.findall(r'`([^`]+)`', cell)


def molecule_cases(path):
    """{name: item} of every play, task and loop item with a name in a molecule file."""
    with open(os.path.join(REPO_ROOT, path)) as handle:
        plays = yaml.safe_load(handle)
    cases = {}

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get('name'), str):
                cases.setdefault(node['name'], node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(plays)
    return cases


def check_pytest_reference(ref):
    path, _sep, node = ref.partition('::')
    name, _sep, param = node.partition('[')
    full = os.path.join(REPO_ROOT, path)
    assert os.path.isfile(full), 'no such test file: %s' % path
    with open(full) as handle:
        source = handle.read()
    assert re.search(r'^def %s\(' % re.escape(name), source, re.M), '%s: no test function %s' % (path, name)
    if param:
        assert "'%s'" % param.rstrip(']') in source, '%s: no parameter id %s' % (path, param.rstrip(']'))


def check_molecule_reference(ref, message):
    path, _sep, case = ref.partition(': ')
    assert os.path.isfile(os.path.join(REPO_ROOT, path)), 'no such file: %s' % path
    cases = molecule_cases(path)
    assert case in cases, '%s: no case named %r (has: %s)' % (path, case, ', '.join(sorted(cases)))
    expect = cases[case].get('expect', '')
    # Only the plain-text expectations of site.yml runs; patterns and templates are not messages.
    if 'args' in cases[case] and '{{' not in expect:
        assert expect in message, '%s: docs/bad-input.md quotes %r, the test expects %r' % (case, message, expect)


def test_the_table_has_enough_rows():
    rows = table_rows()
    assert len(rows) >= MIN_ROWS, 'only %d rows' % len(rows)
    assert [int(row[0]) for row in rows] == list(range(1, len(rows) + 1)), 'rows are not numbered 1..n'


def test_every_row_names_a_test_that_exists():
    for row in table_rows():
        refs = references(row[4])
        assert refs, 'row %s names no test' % row[0]
        message = ' '.join(references(row[3])).replace('\\|', '|')
        for ref in refs:
            if '::' in ref:
                check_pytest_reference(ref)
            elif ref.startswith('molecule/'):
                check_molecule_reference(ref, message)
            else:
                raise AssertionError('row %s: %r is neither file::test nor molecule/...: case' % (row[0], ref))
