#!/usr/bin/env bash
# Build (or reuse) the systemd base image of the test hosts. No registry is reachable, so it is
# made with debootstrap and `docker import`; its tag is a hash of this recipe. Prints the image name.
source "$(dirname "$0")/lib.sh"

SUITE=bookworm
MIRROR=${OVERLAYNET_DEBIAN_MIRROR:-http://deb.debian.org/debian}
PACKAGES=systemd,systemd-sysv,dbus,python3,python3-apt,iproute2,iputils-ping,ca-certificates,procps,curl,gnupg
IMAGE="overlaynet/systemd-host:$SUITE-$(recipe_hash "${BASH_SOURCE[0]}")"

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  note "base image: reusing $IMAGE"
  echo "$IMAGE"
  exit 0
fi

command -v debootstrap >/dev/null 2>&1 || {
  step "base image: installing debootstrap"
  apt-get update -qq || die "apt-get update failed: check the machine's Debian mirror"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null ||
    die "apt-get install debootstrap failed: read apt's error above"
}

ROOTFS=$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
trap 'rm -rf "$ROOTFS"' EXIT
step "base image: debootstrap $SUITE into $ROOTFS (about a minute)"
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOTFS" "$MIRROR" >"$ROOTFS.log" 2>&1 ||
  die "debootstrap failed: see $ROOTFS.log (is $MIRROR reachable?)"
rm -f "$ROOTFS.log"

cat >"$ROOTFS/etc/apt/sources.list" <<SOURCES
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb ${MIRROR%/debian}/debian-security $SUITE-security main
SOURCES
# Each container must get its own machine-id at first boot.
: >"$ROOTFS/etc/machine-id"
# Units that make no sense in a container and slow or break its boot.
for unit in getty.target systemd-udevd.service systemd-udev-trigger.service systemd-remount-fs.service; do
  ln -sf /dev/null "$ROOTFS/etc/systemd/system/$unit"
done
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb

step "base image: importing as $IMAGE"
# docker import creates the tag only once the whole layer is in: no half-built image is ever tagged.
tar -C "$ROOTFS" -c . | docker import -c 'CMD ["/lib/systemd/systemd"]' - "$IMAGE" >/dev/null ||
  die "docker import failed: is the Docker engine running (tests/lab/docker-engine.sh)?"
echo "$IMAGE"
