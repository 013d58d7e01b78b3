#!/usr/bin/env bash
# Molecule scenarios for `make molecule`.
#   molecule.sh SCENARIO...        one scenario after the other, the output on the terminal
#   molecule.sh -j N SCENARIO...   the scenarios in N parallel lanes: each lane takes the next scenario
#                                  of the list when its previous one is done (so list the longest
#                                  first); each scenario's output goes to $MOLECULE_LOGS/<scenario>.log
# A lane uses the time another one waits (rolling restarts, probes, systemd); beyond that the
# scenarios compete for CPU (Ansible on the controller, modules on the hosts), so more lanes than
# cores make every scenario slower, not the whole run shorter. Scenarios share nothing: hosts, networks and volumes are named after the scenario, and
# molecule keeps each scenario's files in a directory of its own. The same scenario run from another
# checkout on this machine would take the same host names: it waits for /tmp/overlaynet-molecule-<scenario>.lock.
# After the first failure no lane starts another scenario (the running ones finish); at the end the
# log of every failed scenario is printed and the exit status is 1.
source "$(dirname "$0")/lab/lib.sh"
MOLECULE="$REPO_ROOT/.venv/bin/molecule"

# molecule test -s SCENARIO, holding the scenario's machine-wide lock.
molecule_test() {
  flock "/tmp/overlaynet-molecule-$1.lock" "$MOLECULE" test -s "$1"
}

if [[ ${1:-} != -j ]]; then
  [[ $# -ge 1 ]] || die "usage: molecule.sh SCENARIO... | molecule.sh -j N SCENARIO..."
  for s in "$@"; do
    step "molecule: $s"; start=$SECONDS
    molecule_test "$s" || die "molecule scenario $s (rerun: make molecule SCENARIO=$s)"
    step "molecule: $s passed in $((SECONDS - start)) s"
  done
  exit 0
fi

LANES=$2; shift 2
[[ $LANES =~ ^[1-9][0-9]*$ && $# -ge 1 ]] || die "usage: molecule.sh SCENARIO... | molecule.sh -j N SCENARIO..."
LOGS=${MOLECULE_LOGS:-$REPO_ROOT/.molecule-logs}
rm -rf "$LOGS" && mkdir -p "$LOGS"
START=$(date +%s)
since_start() { echo $(($(date +%s) - START)); }

# One scenario of a lane; writes <scenario>.rc ("passed|FAILED in N s", or "not started" after another failed).
run_one() {
  local s=$1 start=$SECONDS rc
  if compgen -G "$LOGS/*.failed" >/dev/null; then
    echo "not started" >"$LOGS/$s.rc"; note "molecule: $s not started (another scenario failed)"; return 0
  fi
  step "molecule: $s started at +$(since_start) s (log: $LOGS/$s.log)"
  molecule_test "$s" >"$LOGS/$s.log" 2>&1 && rc=0 || rc=1
  echo "$( ((rc == 0)) && echo passed || echo FAILED) in $((SECONDS - start)) s" >"$LOGS/$s.rc"
  if ((rc == 0)); then
    step "molecule: $s passed in $((SECONDS - start)) s (at +$(since_start) s)"
  else
    touch "$LOGS/$s.failed"
    printf 'FAILED: molecule scenario %s after %d s (at +%d s); log: %s (rerun: make molecule SCENARIO=%s)\n' \
      "$s" $((SECONDS - start)) "$(since_start)" "$LOGS/$s.log" "$s" >&2
  fi
}
export -f run_one molecule_test since_start step note
export LOGS START MOLECULE

step "molecule: $* in $LANES lanes, $(uptime | sed 's/.*load/load/')"
# xargs runs at most $LANES at once, each taking the next scenario of the list as a lane frees up.
printf '%s\n' "$@" | xargs -P "$LANES" -I{} bash -c 'run_one "$@"' _ {} || true

failed=()
for s in "$@"; do
  [[ -f $LOGS/$s.failed || ! -f $LOGS/$s.rc ]] && failed+=("$s")
done
for s in "${failed[@]}"; do
  printf '\n==> log of the failed scenario %s (%s)\n' "$s" "$LOGS/$s.log"
  cat "$LOGS/$s.log" 2>/dev/null || echo "(no log)"
done
step "molecule: $(since_start) s in all, $(uptime | sed 's/.*load/load/'); per scenario: $(
  for s in "$@"; do printf '%s %s; ' "$s" "$(cat "$LOGS/$s.rc" 2>/dev/null)"; done)"
((${#failed[@]} == 0)) || die "molecule scenarios failed: ${failed[*]} (each log printed above; rerun one: make molecule SCENARIO=<name>)"
