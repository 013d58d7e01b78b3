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

venv_dir() { echo "$CACHE_DIR/venv-$(recipe_hash "$REPO_ROOT/requirements.txt" "$REPO_ROOT/tests/requirements.txt")"; }

# An archive counts as cached only with its checksum beside it (the checksum is moved in last):
# then print its path and succeed.
cached_archive() {
  local what=$1 archive=$2
  [[ -f $archive && -f $archive.sha256 ]] || return 1
  note "$what: reusing $archive"
  echo "$archive"
}
