#!/bin/bash
# Stops the cluster slurm-up.sh started under STATE_DIR: cancels its jobs,
# then stops slurmd and slurmctld, then munged, by their pid files (TERM, then KILL
# after 10 s). Leaves STATE_DIR (logs) in place.
set -uo pipefail
state="${1:?usage: slurm-down.sh STATE_DIR}"
export SLURM_CONF="$state/slurm.conf"
[ -f "$SLURM_CONF" ] && timeout 10 scancel --user="$(id -un)" >/dev/null 2>&1
stop() {
  local pidfile="$1" pid
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile" 2>/dev/null)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}
stop "$state/slurmd.pid" & stop "$state/slurmctld.pid" & wait
stop "$state/munge/munged.pid"
exit 0
