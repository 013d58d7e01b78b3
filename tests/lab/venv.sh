#!/usr/bin/env bash
# Make (or reuse) the pinned tool venv and point ./.venv at it.
source "$(dirname "$0")/lib.sh"

VENV=$(venv_dir)
PYTHON=${OVERLAYNET_PYTHON:-python3}

if [[ -f "$VENV/.ready" ]]; then
  note "venv: reusing $VENV"
else
  step "venv: building $VENV from tests/requirements.txt"
  # A venv is not relocatable, so it is built in place; only the .ready marker makes it usable.
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" || die "python venv could not be created: install python3-venv (apt-get install python3-venv)"
  "$VENV/bin/pip" install -q --upgrade pip ||
    die "pip upgrade failed: check that PyPI is reachable"
  "$VENV/bin/pip" install -q -r "$REPO_ROOT/tests/requirements.txt" ||
    die "pip install -r tests/requirements.txt failed: read pip's error above"
  touch "$VENV/.ready"
fi
ln -sfn "$VENV" "$REPO_ROOT/.venv"
