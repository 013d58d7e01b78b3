#!/usr/bin/env bash
# Build (or reuse) the systemd image of the test hosts and print its name. No registry is reachable,
# so it is made with debootstrap and `docker import`; its tag is a hash of this recipe.
#   base-image.sh [plain] [RELEASE]    a bare Debian host: the roles install everything themselves
#   base-image.sh preloaded [RELEASE]  plain + the packages the roles and the checks would apt-get
#                            install, so that scenarios which do not test installing skip it (the
#                            `default` scenario and `make lab` keep the plain image: the install path
#                            stays tested)
# RELEASE is the Debian release: bookworm (12, the default), trixie (13), or trixie-docker28: trixie
# whose apt takes docker.io and docker-cli from forky (Docker 28.5), as an operator on today's Docker
# has it (forky itself cannot boot here: its systemd needs cgroup v2). Also taken from
# OVERLAYNET_HOST_RELEASE. Tags carry it: overlaynet/systemd-host:<release>-[preloaded-]<hash>.
source "$(dirname "$0")/lib.sh"

KIND=${1:-plain}
[[ $KIND =~ ^(plain|preloaded)$ ]] || die "base-image.sh: unknown image kind '$KIND': use plain or preloaded"
SUITE=${2:-${OVERLAYNET_HOST_RELEASE:-bookworm}}
[[ $SUITE =~ ^(bookworm|trixie|trixie-docker28)$ ]] ||
  die "base-image.sh: unknown Debian release '$SUITE': use bookworm, trixie or trixie-docker28"
MIRROR=${OVERLAYNET_DEBIAN_MIRROR:-http://deb.debian.org/debian}
PACKAGES=systemd,systemd-sysv,dbus,python3,python3-apt,iproute2,iputils-ping,ca-certificates,procps,curl,gnupg
# What a converge installs on Debian: roles/docker/vars/Debian.yml (docker.io), roles/flannel/vars/
# Debian.yml (iptables, python3-etcd3) and playbooks/tasks/overlay_image.yml (busybox-static).
PRELOAD=(docker.io iptables python3-etcd3 busybox-static)
HASH=$(recipe_hash "${BASH_SOURCE[0]}")
PLAIN="overlaynet/systemd-host:$SUITE-$HASH"
PRELOADED="overlaynet/systemd-host:$SUITE-preloaded-$HASH"

build_plain() {
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
  # Units that make no sense in a container and slow or break its boot. systemd-modules-load: the
  # container cannot load kernel modules; trixie's systemd fails on that ("Failed to initialize libkmod
  # context"), bookworm's skips it.
  for unit in getty.target systemd-udevd.service systemd-udev-trigger.service systemd-remount-fs.service \
              systemd-modules-load.service; do
    ln -sf /dev/null "$ROOTFS/etc/systemd/system/$unit"
  done
  # dockerd (26.1 and later) writes sysctls of each container's interface (disable_ipv6) and fails
  # when it cannot: in a test host /proc/sys is read-only (it is not --privileged). At boot the host
  # gets a writable /proc/sys/net of its own, bound from a fresh procfs: in a network namespace other
  # than the machine's, /proc/sys/net holds only that namespace's settings, so the shared kernel's
  # settings (the rest of /proc/sys) stay read-only.
  cat >"$ROOTFS/usr/local/sbin/overlaynet-netns-sysctl" <<'SCRIPT'
#!/bin/sh
set -eu
grep -q ' /proc/sys/net ' /proc/self/mountinfo && exit 0
proc=$(mktemp -d /run/overlaynet-proc.XXXXXX)
mount -t proc -o nosuid,nodev,noexec proc "$proc"
mount --bind "$proc/sys/net" /proc/sys/net
umount "$proc"
rmdir "$proc"
SCRIPT
  chmod 0755 "$ROOTFS/usr/local/sbin/overlaynet-netns-sysctl"
  cat >"$ROOTFS/etc/systemd/system/overlaynet-netns-sysctl.service" <<'UNIT'
[Unit]
Description=Test host: this network namespace's /proc/sys/net writable
DefaultDependencies=no
After=local-fs.target
Before=sysinit.target docker.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/overlaynet-netns-sysctl

[Install]
WantedBy=sysinit.target
UNIT
  mkdir -p "$ROOTFS/etc/systemd/system/sysinit.target.wants"
  ln -sf ../overlaynet-netns-sysctl.service "$ROOTFS/etc/systemd/system/sysinit.target.wants/overlaynet-netns-sysctl.service"
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb

  step "base image: importing as $PLAIN"
  # docker import creates the tag only once the whole layer is in: no half-built image is ever tagged.
  tar -C "$ROOTFS" -c . | docker import -c 'CMD ["/lib/systemd/systemd"]' - "$PLAIN" >/dev/null ||
    die "docker import failed: is the Docker engine running (tests/lab/docker-engine.sh)?"
  rm -rf "$ROOTFS"
  trap - EXIT
}

# trixie-docker28: the plain trixie image plus apt's forky source, taken only where pinned: docker.io
# and docker-cli (tini-static comes along, trixie has none); the rest, containerd and runc included,
# stays trixie's. The mirror's forky Release file is past its Valid-Until date.
build_docker28() {
  local trixie builder="overlaynet-docker28-$$"
  trixie=$("${BASH_SOURCE[0]}" plain trixie) || die "the plain trixie image could not be made"
  trap 'docker rm -f "$builder" >/dev/null 2>&1 || true' EXIT
  step "base image: $trixie with Docker 28 from forky, as $PLAIN"
  docker run --name "$builder" "$trixie" /bin/sh -euc '
    echo "deb $1 forky main" >/etc/apt/sources.list.d/forky.list
    printf "Acquire::Check-Valid-Until \"false\";\n" >/etc/apt/apt.conf.d/90forky-valid-until
    printf "Package: *\nPin: release n=forky\nPin-Priority: 100\n\nPackage: docker.io docker-cli\nPin: release n=forky\nPin-Priority: 990\n" \
      >/etc/apt/preferences.d/docker28-from-forky
    apt-get update -qq' docker28 "$MIRROR" >&2 ||
    die "adding forky's apt source to $trixie failed"
  docker commit -c 'CMD ["/lib/systemd/systemd"]' "$builder" "$PLAIN" >/dev/null ||
    die "docker commit of $builder failed: is the Docker engine running (tests/lab/docker-engine.sh)?"
  docker rm -f "$builder" >/dev/null
  trap - EXIT
}

build_preloaded() {
  BUILDER="overlaynet-preload-$$"
  trap 'docker rm -f "$BUILDER" >/dev/null 2>&1 || true' EXIT
  step "base image: installing ${PRELOAD[*]} into $PRELOADED (about a minute)"
  # apt-get runs as the container's command, without systemd; policy-rc.d keeps the packages'
  # scripts from starting daemons in the build container. Their units are enabled as on a real
  # host, so docker starts at boot on its default bridge, as after the role's install.
  docker run --name "$BUILDER" "$PLAIN" /bin/bash -euc '
    printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    apt-get clean
    rm -f /usr/sbin/policy-rc.d
    : >/etc/machine-id' preload "${PRELOAD[@]}" >&2 ||
    die "installing ${PRELOAD[*]} into $PLAIN failed: read apt's error above (is $MIRROR reachable from containers?)"
  # docker commit tags only a finished image, like docker import above.
  docker commit -c 'CMD ["/lib/systemd/systemd"]' "$BUILDER" "$PRELOADED" >/dev/null ||
    die "docker commit of $BUILDER failed: is the Docker engine running (tests/lab/docker-engine.sh)?"
}

if docker image inspect "$PLAIN" >/dev/null 2>&1; then
  note "base image: reusing $PLAIN"
elif [[ $SUITE == trixie-docker28 ]]; then
  build_docker28
else
  build_plain
fi
if [[ $KIND == preloaded ]]; then
  if docker image inspect "$PRELOADED" >/dev/null 2>&1; then
    note "base image: reusing $PRELOADED"
  else
    build_preloaded
  fi
  echo "$PRELOADED"
else
  echo "$PLAIN"
fi
