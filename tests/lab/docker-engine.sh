#!/usr/bin/env bash
# Use the running Docker engine, or install Debian's docker.io and start dockerd by hand
# (the machine has no systemd as PID 1, so nothing else would start it).
source "$(dirname "$0")/lib.sh"

if docker info >/dev/null 2>&1; then
  note "docker: using the running engine ($(docker version --format '{{.Server.Version}}'))"
  exit 0
fi
[[ $(id -u) -eq 0 ]] || die "no Docker engine is running and starting one needs root: start dockerd, or run as root"

if ! command -v dockerd >/dev/null 2>&1; then
  step "docker: no engine installed; installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed: check the machine's Debian mirror"
  apt-get install -y -qq docker.io >/dev/null || die "apt-get install docker.io failed: read apt's error above"
fi

LOG=/var/log/overlaynet-dockerd.log
step "docker: starting dockerd in the background (log: $LOG)"
nohup dockerd >"$LOG" 2>&1 &
for _ in $(seq 60); do
  docker info >/dev/null 2>&1 && { note "docker: engine is up"; exit 0; }
  sleep 1
done
die "dockerd did not answer within 60 s: see the end of $LOG"
