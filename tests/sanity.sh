#!/usr/bin/env bash
# ansible-test sanity needs the collection at .../ansible_collections/overlaynet/flannel, so run it
# on a copy of the tracked and new files at such a path. No ignore files are used.
source "$(dirname "$0")/lab/lib.sh"

# ansible-test bootstraps pip in its venvs with a script from a host unreachable here: give it ours.
PIP_VERSION=$("$REPO_ROOT/.venv/bin/python" - <<'PY'
import re, ansible_test, pathlib
src = (pathlib.Path(ansible_test.__file__).parent / "_internal/python_requirements.py").read_text()
print(re.search(r"pip='([0-9.]+)'", src).group(1))
PY
) || die "could not read ansible-test's pip version: is ansible-core installed in .venv?"
mkdir -p ~/.ansible/test/cache
cp "$REPO_ROOT/tests/get_pip_offline.py" ~/.ansible/test/cache/get_pip_${PIP_VERSION//./_}.py

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DEST="$WORK/ansible_collections/overlaynet/flannel"
mkdir -p "$DEST"
cd "$REPO_ROOT"
git ls-files -co --exclude-standard -z | xargs -0 -I{} cp --parents {} "$DEST/" 2>/dev/null || true
[[ ! -d "$DEST/tests/sanity" ]] || die "tests/sanity/ (ignore files) must not exist"
cd "$DEST"
# ansible-test only considers files git knows.
git init -q && git add -A
step "sanity: ansible-test sanity (python ${OVERLAYNET_SANITY_PYTHON:-3.11})"
# ansible-test keeps its sanity venvs under ~/.ansible/test and rebuilds them in place: two runs at
# once (two checkouts on one machine) break each other, so they take turns.
exec 9>"$CACHE_DIR/sanity.lock"
flock 9
"$REPO_ROOT/.venv/bin/ansible-test" sanity --python "${OVERLAYNET_SANITY_PYTHON:-3.11}" --color no "$@"
