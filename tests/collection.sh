#!/usr/bin/env bash
# The collection as users get it: build the artifact, install it offline into an empty path, and
# check that its playbooks resolve by FQCN there; also that a checkout's playbooks parse.
source "$(dirname "$0")/lab/lib.sh"
BIN="$REPO_ROOT/.venv/bin"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
: >"$WORK/ansible.cfg"
cd "$REPO_ROOT" || exit 1

step "collection: ansible-galaxy collection build"
"$BIN/ansible-galaxy" collection build --output-path "$WORK" . >/dev/null
ARTIFACT=$(ls "$WORK"/overlaynet-flannel-*.tar.gz)
if tar -tzf "$ARTIFACT" | grep -E '^(tests|molecule|\.venv|\.collections)/' >/dev/null; then
  die "the artifact carries development files: extend build_ignore in galaxy.yml"
fi

step "collection: install $(basename "$ARTIFACT") --offline into an empty path"
# Outside the checkout's ansible.cfg, which would point at the checkout itself.
(cd "$WORK" && ANSIBLE_CONFIG="$WORK/ansible.cfg" ANSIBLE_COLLECTIONS_PATH="$WORK/installed" "$BIN/ansible-galaxy" collection install --offline -p "$WORK/installed" "$ARTIFACT" >/dev/null)
[[ -f $WORK/installed/ansible_collections/overlaynet/flannel/MANIFEST.json ]] || die "the installed collection has no MANIFEST.json"

step "collection: playbooks by FQCN from the installed collection"
for pb in overlaynet.flannel.site overlaynet.flannel.verify; do
  [[ $pb == *verify && ! -f playbooks/verify.yml ]] && continue
  (cd "$WORK" && ANSIBLE_CONFIG="$WORK/ansible.cfg" ANSIBLE_COLLECTIONS_PATH="$WORK/installed" \
    "$BIN/ansible-playbook" -i "$REPO_ROOT/inventory.example" "$pb" --syntax-check >/dev/null) ||
    die "ansible-playbook $pb --syntax-check failed against the installed collection"
done

step "collection: playbooks from the checkout"
for pb in playbooks/*.yml site.yml; do
  "$BIN/ansible-playbook" -i inventory.example "$pb" --syntax-check >/dev/null || die "$pb --syntax-check failed"
done
note "collection: ok"
