#!/usr/bin/env bash
# Systemd test hosts in Docker, shared by `make lab` and every molecule scenario so that the
# container settings that make systemd work here live in one place.
#   hosts.sh up   NETWORK NAME...   create (or start) the hosts on their own network; idempotent
#   hosts.sh down NETWORK NAME...   remove exactly those hosts, their volumes and the network
# OVERLAYNET_HOST_IMAGE=plain|preloaded picks the image of new hosts (base-image.sh; default plain),
# OVERLAYNET_HOST_RELEASE=bookworm|trixie its Debian release (default bookworm).
source "$(dirname "$0")/lib.sh"

ACTION=${1:-}; NETWORK=${2:-}
[[ $ACTION =~ ^(up|down)$ && -n $NETWORK && $# -ge 3 ]] || die "usage: hosts.sh up|down NETWORK NAME..."
shift 2
LABEL=overlaynet.network=$NETWORK

# systemd needs every capability but SYS_RESOURCE, which this machine refuses (--privileged fails).
RUN_OPTS=(
  --detach --label "$LABEL" --stop-signal SIGRTMIN+3
  --cap-add ALL --cap-drop SYS_RESOURCE
  --security-opt seccomp=unconfined --security-opt apparmor=unconfined
  --cgroupns host --volume /sys/fs/cgroup:/sys/fs/cgroup:rw
  --tmpfs /run --tmpfs /run/lock --tmpfs /tmp
)

up() {
  local image; image=$("$(dirname "$0")/base-image.sh" "${OVERLAYNET_HOST_IMAGE:-plain}" "${OVERLAYNET_HOST_RELEASE:-bookworm}")
  # Every systemd host takes several inotify instances of the machine's one per-user budget
  # (128 by default): beyond about a dozen hosts, new ones fail to boot.
  if (( $(cat /proc/sys/fs/inotify/max_user_instances) < 1024 )); then
    note "hosts: raising fs.inotify.max_user_instances to 1024 (systemd hosts run out at 128)"
    sysctl -qw fs.inotify.max_user_instances=1024 || die "cannot raise fs.inotify.max_user_instances: run as root"
  fi
  if ! docker network inspect "$NETWORK" >/dev/null 2>&1; then
    step "hosts: creating network $NETWORK"
    docker network create --label "$LABEL" "$NETWORK" >/dev/null || die "docker network create $NETWORK failed"
  fi
  local name state
  for name in "$@"; do
    state=$(docker inspect -f '{{.State.Status}}' "$name" 2>/dev/null || true)
    case $state in
      running) note "hosts: $name is running" ;;
      "") step "hosts: creating $name"
          # dockerd inside the host needs a real filesystem under /var/lib/docker, not overlayfs.
          docker run "${RUN_OPTS[@]}" --name "$name" --hostname "$name" --network "$NETWORK" \
            --volume "$name-docker:/var/lib/docker" "$image" >/dev/null || die "docker run $name failed" ;;
      *) step "hosts: starting $name ($state)"; docker start "$name" >/dev/null || die "docker start $name failed" ;;
    esac
  done
  for name in "$@"; do wait_for_systemd "$name"; done
}

# On a busy machine the container is up before systemd's bus is, so "no answer" means "ask again".
wait_for_systemd() {
  local name=$1 state=""
  for _ in $(seq 120); do
    state=$(docker exec "$name" systemctl is-system-running 2>/dev/null || true)
    case $state in
      running) return 0 ;;
      # `degraded` still means systemd is up and can run our units; the failed ones are listed.
      degraded) note "hosts: $name is degraded: $(docker exec "$name" systemctl --failed --no-legend --plain | awk '{print $1}' | xargs)"
                return 0 ;;
    esac
    sleep 1
  done
  die "systemd in $name did not come up within 120 s (state: ${state:-no answer}): see docker logs $name"
}

down() {
  local name
  for name in "$@"; do
    # Only what carries our label is ours to remove.
    if [[ $(docker inspect -f "{{index .Config.Labels \"overlaynet.network\"}}" "$name" 2>/dev/null) == "$NETWORK" ]]; then
      step "hosts: removing $name"
      docker rm -f -v "$name" >/dev/null
    fi
    docker volume rm "$name-docker" >/dev/null 2>&1 || true
  done
  if [[ $(docker network inspect -f "{{index .Labels \"overlaynet.network\"}}" "$NETWORK" 2>/dev/null) == "$NETWORK" ]]; then
    step "hosts: removing network $NETWORK"
    docker network rm "$NETWORK" >/dev/null
  fi
}

"$ACTION" "$@"
