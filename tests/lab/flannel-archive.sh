#!/usr/bin/env bash
# Make (or reuse) flannel-<version>-linux-amd64.tar.gz in the official release layout
# (flanneld, mk-docker-opts.sh, README.md). Tries the official release first, and builds it
# from the Go module proxy when the release is unreachable. Prints the archive's path.
#   usage: flannel-archive.sh vX.Y.Z
source "$(dirname "$0")/lib.sh"

VERSION=${1:?usage: flannel-archive.sh vX.Y.Z}
[[ $VERSION =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "flannel version '$VERSION' is not of the form vX.Y.Z"
NAME="flannel-$VERSION-linux-amd64.tar.gz"
DIR="$CACHE_DIR/archives"
ARCHIVE="$DIR/$NAME"
mkdir -p "$DIR"

cached_archive "flannel $VERSION" "$ARCHIVE" && exit 0

WORK=$(mktemp -d "$DIR/.flannel-$VERSION.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# The release is only used when its checksum is pinned in the role: an unverified download is never cached.
KNOWN=$(grep -E "^\s+$VERSION:" "$REPO_ROOT/roles/flannel/vars/main/checksums.yml" 2>/dev/null | awk '{print $2}' || true)
URL="https://github.com/flannel-io/flannel/releases/download/$VERSION/$NAME"
if [[ -n $KNOWN ]] && curl -fsSL --connect-timeout 5 --max-time 300 -o "$WORK/$NAME" "$URL" 2>/dev/null; then
  step "flannel $VERSION: downloaded the official release"
  echo "$KNOWN  $WORK/$NAME" | sha256sum -c --quiet - || die "checksum mismatch for $URL: do not use this archive"
else
  step "flannel $VERSION: official release unreachable; building flanneld from the Go module proxy"
  command -v go >/dev/null 2>&1 || die "Go >= 1.26 is needed to build flanneld: install Go, or put a release archive at $ARCHIVE"
  SRC=$(go mod download -json "github.com/flannel-io/flannel@$VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
  [[ -d $SRC ]] || die "go mod download github.com/flannel-io/flannel@$VERSION failed: is the Go module proxy reachable?"
  cp -r "$SRC" "$WORK/src" && chmod -R u+w "$WORK/src"
  build() {
    (cd "$WORK/src" && CGO_ENABLED=1 go build -trimpath -tags netgo,osusergo \
      -ldflags "-s -w -X github.com/flannel-io/flannel/pkg/version.Version=$VERSION -extldflags -static" \
      -o "$WORK/pkg/flanneld" .) >"$WORK/build.log" 2>&1
  }
  mkdir -p "$WORK/pkg"
  if ! build; then
    # Some versions of the Tencent Cloud SDK that the tencentvpc backend imports are withheld by the
    # proxy. That backend is irrelevant off Tencent Cloud, so build without it rather than not at all.
    grep -q tencentcloud "$WORK/build.log" || die "go build of flanneld $VERSION failed: see the log above ($(tail -1 "$WORK/build.log"))"
    note "flannel $VERSION: Tencent Cloud SDK unavailable on the proxy; building without the tencentvpc backend"
    sed -i '/flannel\/pkg\/backend\/tencentvpc"/d' "$WORK/src/main.go"
    build || die "go build of flanneld $VERSION failed: $(tail -1 "$WORK/build.log")"
  fi
  install -m 0755 "$WORK/src/dist/mk-docker-opts.sh" "$WORK/pkg/mk-docker-opts.sh"
  install -m 0644 "$WORK/src/README.md" "$WORK/pkg/README.md"
  "$WORK/pkg/flanneld" --version 2>&1 | grep -qx "$VERSION" || die "the built flanneld does not report version $VERSION"
  tar -C "$WORK/pkg" --owner=0 --group=0 -czf "$WORK/$NAME" flanneld mk-docker-opts.sh README.md
fi

(cd "$WORK" && sha256sum "$NAME") | awk '{print $1}' >"$WORK/$NAME.sha256"
# Archive first, checksum last: a reader only trusts an archive that has its .sha256 beside it.
mv "$WORK/$NAME" "$ARCHIVE"
mv "$WORK/$NAME.sha256" "$ARCHIVE.sha256"
echo "$ARCHIVE"
