#!/usr/bin/env bash
# ansible-test sanity on both ansible-core versions the collection is tested with (meta/runtime.yml):
# 2.21 from the tool venv (.venv, tests/requirements.txt) and the newest 2.19 from a small venv of
# its own (tests/requirements-sanity-2.19.txt, cached like the tool venv). Each runs with its venv's
# own Python (--python X.Y of that interpreter). Both always run; the script fails if either fails.
#
# ansible-test sanity needs the collection at .../ansible_collections/overlaynet/flannel, so it runs
# on a copy of the tracked and new files at such a path. No ignore files are used.
source "$(dirname "$0")/lab/lib.sh"

[[ -x "$REPO_ROOT/.venv/bin/ansible-test" ]] || die "no ansible-test in .venv: run make venv (tests/lab/venv.sh) first"
# 2.19's controller takes Python 3.11 to 3.13; the tool chain's controller is 3.12 or later.
PYTHON_219=$(find_python 3.12 3.13) || exit 1
VENV_219=$(make_venv venv-sanity-2.19 "$PYTHON_219" "$REPO_ROOT/tests/requirements-sanity-2.19.txt") || exit 1
VENVS=("$REPO_ROOT/.venv" "$VENV_219")

# Without the program ansible-test skips its shellcheck test with a mere warning: make sure it runs.
if ! command -v shellcheck >/dev/null 2>&1; then
  step "sanity: installing Debian's shellcheck (for ansible-test's shellcheck test)"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y -qq shellcheck >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq shellcheck >/dev/null; }; } ||
    die "apt-get install shellcheck failed: read apt's error above"
fi

# ansible-test bootstraps pip in its venvs with a script from a host unreachable here: give it ours,
# under the name each ansible-test looks for (the pip version it pins).
mkdir -p ~/.ansible/test/cache
for venv in "${VENVS[@]}"; do
  PIP_VERSION=$("$venv/bin/python" - <<'PY'
import re, ansible_test, pathlib
src = (pathlib.Path(ansible_test.__file__).parent / "_internal/python_requirements.py").read_text()
print(re.search(r"pip='([0-9.]+)'", src).group(1))
PY
  ) || die "could not read the pip version of ansible-test in $venv: is ansible-core installed there?"
  cp "$REPO_ROOT/tests/get_pip_offline.py" ~/.ansible/test/cache/"get_pip_${PIP_VERSION//./_}.py"
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DEST="$WORK/ansible_collections/overlaynet/flannel"
mkdir -p "$DEST"
cd "$REPO_ROOT" || exit 1
git ls-files -co --exclude-standard -z | xargs -0 -I{} cp --parents {} "$DEST/" 2>/dev/null || true
[[ ! -d "$DEST/tests/sanity" ]] || die "tests/sanity/ (ignore files) must not exist"
cd "$DEST" || exit 1
# ansible-test only considers files git knows.
git init -q && git add -A

# ansible-test keeps its sanity venvs under ~/.ansible/test and rebuilds them in place: two runs at
# once (two checkouts on one machine) break each other, so they take turns.
exec 9>"$CACHE_DIR/sanity.lock"
flock 9
failed=()
summary=()
for venv in "${VENVS[@]}"; do
  core=$("$venv/bin/python" -c 'import ansible.release as r; print(r.__version__)')
  python=$(python_version "$venv/bin/python")
  step "sanity: ansible-test sanity, ansible-core $core, python $python ($venv)"
  start=$SECONDS
  if "$venv/bin/ansible-test" sanity --python "$python" --color no "$@"; then
    summary+=("ansible-core $core (python $python): passed in $((SECONDS - start)) s")
  else
    summary+=("ansible-core $core (python $python): FAILED after $((SECONDS - start)) s")
    failed+=("$core")
  fi
done
for line in "${summary[@]}"; do note "$line"; done
((${#failed[@]} == 0)) || die "ansible-test sanity failed on ansible-core ${failed[*]}: read its errors above"
