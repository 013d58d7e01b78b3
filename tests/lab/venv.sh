#!/usr/bin/env bash
# Make (or reuse) the pinned tool venv and point ./.venv at it. ansible-core 2.20 and later need a
# Python >= 3.12 on the controller: the first one found is used (OVERLAYNET_PYTHON overrides).
source "$(dirname "$0")/lib.sh"

PYTHON=$(find_python 3.12) || exit 1
VENV=$(make_venv venv "$PYTHON" "$REPO_ROOT/tests/requirements.txt" "$REPO_ROOT/requirements.txt") || exit 1
ln -sfn "$VENV" "$REPO_ROOT/.venv"
