#!/bin/bash
# Installs Slurm and MUNGE from the distribution's packages when slurmctld is
# missing (Debian/Ubuntu, as root). Used by test/cluster/slurm.test.ts; exits 0
# when Slurm is (now) installed, and non-zero with the reason on stderr
# otherwise. The whole install is bounded by $SLURM_INSTALL_TIMEOUT seconds
# (default 600). Daemons are never started by the packages: the test starts its
# own (test/cluster/slurm-up.sh).
set -uo pipefail

have() { command -v "$1" >/dev/null 2>&1; }
if have slurmctld && have slurmd && have sbatch && have munged; then
  echo "slurm already installed: $(slurmctld -V 2>/dev/null)"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "not root: cannot install slurm-wlm" >&2; exit 3; }
have apt-get || { echo "no apt-get: cannot install slurm-wlm" >&2; exit 3; }

limit="${SLURM_INSTALL_TIMEOUT:-600}"
export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
left() { local l=$(( limit - ($(date +%s) - start) )); [ "$l" -gt 0 ] && echo "$l" || echo 1; }

# Package scripts must not try to start services (no init system in a container).
made_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=1
fi
# apt verifies signatures as the unprivileged _apt user, in TMPDIR: give it
# one it can write to (some sandboxes have a /tmp only root can write).
apt_tmp="$(mktemp -d)" && chmod 1777 "$apt_tmp" && export TMPDIR="$apt_tmp"
log="$apt_tmp/install.log"
cleanup() { [ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d; rm -rf "$apt_tmp"; }
trap cleanup EXIT

apt_install() {
  timeout "$(left)" apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    slurm-wlm munge >"$log" 2>&1
}
if ! apt_install; then
  # A fresh container has no package lists: fetch them, then try again.
  if ! timeout "$(left)" apt-get update -q >>"$log" 2>&1; then
    echo "apt-get update failed (no network or mirror?): $(tail -n 3 "$log" | tr '\n' ' ')" >&2
    exit 4
  fi
  if [ "$(left)" -le 0 ] || ! apt_install; then
    echo "apt-get install slurm-wlm munge failed or took over ${limit}s: $(tail -n 3 "$log" | tr '\n' ' ')" >&2
    exit 4
  fi
fi
have slurmctld && have slurmd && have sbatch && have munged || { echo "slurm-wlm installed but its programs are not on PATH" >&2; exit 4; }
echo "installed slurm-wlm and munge in $(( $(date +%s) - start ))s: $(slurmctld -V 2>/dev/null)"
