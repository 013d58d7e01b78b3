# shellcheck shell=bash
# Shared by the lab scripts: where caches live, and how a step reports itself.
# Sourced, not run.

set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Caches outlive a checkout so a fresh clone (CI) reuses what an earlier run built.
CACHE_DIR=${OVERLAYNET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/overlaynet-flannel}
mkdir -p "$CACHE_DIR"

step() { printf '==> %s\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }
# One line on what failed and how to fix it, then stop.
die() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

# A short, stable hash of files' contents: cache keys change only when a recipe changes.
recipe_hash() { cat "$@" | sha256sum | cut -c1-12; }

# "X.Y" of a Python, or nothing (and failure) when it does not run (a pyenv shim of a version that
# is not selected fails like that).
python_version() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }

# Whether version X.Y is at least MIN and, when MAX is given, at most MAX.
version_in() {
  local version=$1 min=$2 max=${3:-}
  [[ $(printf '%s\n' "$min" "$version" | sort -V | head -n1) == "$min" ]] || return 1
  [[ -z $max || $(printf '%s\n' "$version" "$max" | sort -V | head -n1) == "$version" ]]
}

# The Python a tool venv is built with, as a path: OVERLAYNET_PYTHON when set (checked against the
# range), else the first that runs and is at least MIN (at most MAX when given) of: python3,
# python3.12 ... python3.14 on the PATH, then pyenv's installed versions (oldest first), then
# /usr/bin and /usr/local/bin. Without one it stops, naming what it looked for.
find_python() {
  local min=$1 max=${2:-} candidate version
  local wanted="Python >= $min${max:+ and <= $max}"
  if [[ -n ${OVERLAYNET_PYTHON:-} ]]; then
    version=$(python_version "$OVERLAYNET_PYTHON") || die "OVERLAYNET_PYTHON=$OVERLAYNET_PYTHON does not run"
    version_in "$version" "$min" "$max" ||
      die "OVERLAYNET_PYTHON=$OVERLAYNET_PYTHON is Python $version; this venv needs $wanted"
    command -v "$OVERLAYNET_PYTHON"
    return
  fi
  local pyenv=${PYENV_ROOT:-$HOME/.pyenv}
  local -a candidates=(python3 python3.12 python3.13 python3.14)
  local dir
  while read -r dir; do
    [[ $(basename "$dir") =~ ^3\.[0-9]+\.[0-9]+$ ]] && candidates+=("$dir/bin/python3")
  done < <(printf '%s\n' "$pyenv"/versions/* | sort -V)
  candidates+=(/usr/bin/python3.1[2-9] /usr/local/bin/python3.1[2-9])
  for candidate in "${candidates[@]}"; do
    version=$(python_version "$candidate") || continue
    if version_in "$version" "$min" "$max"; then
      command -v "$candidate"
      return
    fi
  done
  die "no $wanted found: looked for python3, python3.12, python3.13, python3.14 on the PATH, $pyenv/versions/3.*/bin/python3 and /usr/bin, /usr/local/bin/python3.1x. Install one (pyenv install $min) or set OVERLAYNET_PYTHON to its path"
}

# Where the venv NAME built with PYTHON from the requirements FILES... is cached: keyed by the files'
# contents and the Python's full version.
venv_dir() {
  local name=$1 python=$2
  shift 2
  echo "$CACHE_DIR/$name-$( (cat "$@"; "$python" -c 'import platform; print(platform.python_version())') | sha256sum | cut -c1-12)"
}

# Build the venv (or reuse it: only its .ready marker makes it usable) and print its path.
# A venv is not relocatable, so it is built in place; two builds of one venv at once take turns.
make_venv() {
  local name=$1 python=$2 requirements=$3 venv
  venv=$(venv_dir "$name" "$python" "$requirements" "${@:4}")
  exec 8>"$venv.lock"
  flock 8
  if [[ -f "$venv/.ready" ]]; then
    note "venv: reusing $venv"
  else
    step "venv: building $venv with $python ($(python_version "$python")) from ${requirements#"$REPO_ROOT"/}"
    rm -rf "$venv"
    "$python" -m venv "$venv" >&2 || die "python venv could not be created with $python: install its venv module (apt-get install python3-venv)"
    "$venv/bin/pip" install -q --upgrade pip >&2 || die "pip upgrade failed: check that PyPI is reachable"
    "$venv/bin/pip" install -q -r "$requirements" >&2 ||
      die "pip install -r ${requirements#"$REPO_ROOT"/} failed: read pip's error above"
    touch "$venv/.ready"
  fi
  exec 8>&-
  echo "$venv"
}

# An archive counts as cached only with its checksum beside it (the checksum is moved in last):
# then print its path and succeed.
cached_archive() {
  local what=$1 archive=$2
  [[ -f $archive && -f $archive.sha256 ]] || return 1
  note "$what: reusing $archive"
  echo "$archive"
}
