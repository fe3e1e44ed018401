#!/bin/bash
# Brings up a private one-node Slurm cluster (munged, slurmctld, slurmd) in a
# container without an init system, everything under STATE_DIR:
#
#   test/cluster/slurm-up.sh STATE_DIR     # then: export SLURM_CONF=STATE_DIR/slurm.conf
#   test/cluster/slurm-down.sh STATE_DIR
#
# Nothing under /etc is changed: the cluster has its own slurm.conf (found by
# the Slurm commands through SLURM_CONF), its own MUNGE key and socket, and
# ports SLURM_PORT and SLURM_PORT+1 (default 16817, 16818), so it can run
# beside a real installation. The node has max(4, nproc) CPUs, so four
# one-CPU array tasks run at the same time even on a 2-core machine
# (SlurmdParameters=config_overrides). Exits 0 once the node is idle; on
# failure prints the daemons' logs and exits non-zero (the daemons already
# started are left for slurm-down.sh).
set -euo pipefail

state="${1:?usage: slurm-up.sh STATE_DIR}"
mkdir -p "$state"
state="$(cd "$state" && pwd)"
port="${SLURM_PORT:-16817}"
host="$(hostname -s 2>/dev/null || hostname)"
cpus="$(nproc)"; [ "$cpus" -ge 4 ] || cpus=4
wait_s="${SLURM_UP_TIMEOUT:-60}"

fail() {
  echo "slurm-up: $*" >&2
  for log in munge/munged.log slurmctld.log slurmd.log; do
    [ -s "$state/$log" ] && { echo "--- $log (last lines)" >&2; tail -n 20 "$state/$log" >&2; }
  done
  exit 1
}

# MUNGE: a fresh key and a daemon on a private socket. --force: munged runs
# as root here and its files live under /tmp, which it would otherwise refuse.
mkdir -p "$state/munge" && chmod 700 "$state/munge"
dd if=/dev/urandom of="$state/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$state/munge/munge.key"
socket="$state/munge/munge.socket"
munged --force --key-file="$state/munge/munge.key" --socket="$socket" \
  --pid-file="$state/munge/munged.pid" --log-file="$state/munge/munged.log" \
  --seed-file="$state/munge/munged.seed" || fail "munged did not start"
for _ in $(seq 50); do [ -S "$socket" ] && break; sleep 0.1; done
munge -n --socket="$socket" | unmunge --socket="$socket" >/dev/null || fail "munge credentials do not round-trip"

mkdir -p "$state/ctld" "$state/spool"
cat > "$state/slurm.conf" <<CONF
# A one-node cluster for tests (written by test/cluster/slurm-up.sh).
ClusterName=cubie-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
DependencyParameters=kill_invalid_depend
ReturnToService=2
MailProg=/bin/true
MinJobAge=600
KillWait=5
InactiveLimit=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1024 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$state/slurm.conf"

slurmctld -c || fail "slurmctld did not start"
slurmd || fail "slurmd did not start"

deadline=$(( $(date +%s) + wait_s ))
while :; do
  node="$(sinfo -h -N -n "$host" -o %t 2>/dev/null || true)"
  [ "$node" = idle ] && break
  [ "$(date +%s)" -lt "$deadline" ] || fail "the node is not idle after ${wait_s}s (sinfo: '${node}')"
  sleep 0.5
done
echo "slurm-up: node $host idle ($cpus CPUs), SLURM_CONF=$SLURM_CONF"
