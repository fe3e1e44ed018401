#!/bin/sh
# cubie's GPU check, for a GPU machine without Node.js and without a network.
#
#   OUT=gpu-out sh .gpu-bundle/run.sh        (bash works too)
#
# Unpacks the bundle's Node.js and cubie (sh, gzip, tar), then runs
# check/check.js: cubie doctor, the numerical checks on the GPU, the Lorenz
# benchmark (DiffEqGPU protocol) on the GPU and the CPU backend, and the same
# with Diffrax and torchdiffeq when python3 has them. Everything printed goes
# to $OUT/gpu-check.log, every figure to $OUT/gpu-check.json.
#
# CUBIE_CHECK_BUDGET_S  seconds for the whole run, unpacking included (default 480)
# CUBIE_CHECK_WORK      where to unpack (default: $TMPDIR or /tmp, cubie-gpu-check-<bundle id>)
# CUBIE_CHECK_PHASES    only these phases (doctor,numerics,lorenz,python,diffrax,torchdiffeq)
# CUBIE_CHECK_SIZES     GPU batch sizes of the Lorenz benchmark (default 65536,...,8388608)
# CUBIE_CHECK_CPU_RUNS  runs of the CPU baseline row (default 65536)
# CUBIE_CHECK_REPS      timed solves per row (default 3)
# CUBIE_CHECK_NODE_MODE 'bundled' to start Node.js on the bundle's own C library
# Exit status: 0 when every phase that ran passed, 1 when something failed,
# 2 when Node.js could not start here.
set -u
T0=$(date +%s)
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT" || exit 2
OUT=$(cd "$OUT" && pwd)
CUBIE_CHECK_BUDGET_S=${CUBIE_CHECK_BUDGET_S:-480}
# outside the bundle, so that a bundle run here once still fits what a GPU machine is sent
WORK=${CUBIE_CHECK_WORK:-${TMPDIR:-/tmp}/cubie-gpu-check-$(cat "$HERE/BUNDLE_ID" 2>/dev/null || echo none)}
LOG=$OUT/gpu-check.log
export OUT CUBIE_CHECK_BUDGET_S
CUBIE_CHECK_T0=$T0
CUBIE_CHECK_WORK=$WORK
export CUBIE_CHECK_T0 CUBIE_CHECK_WORK

say() {
  now=$(date +%s)
  echo "[run.sh] $* ($((now - T0)) s used of $CUBIE_CHECK_BUDGET_S s)"
}

# A gpu-check.json for a run that could not start Node.js.
fail_json() {
  reason=$(printf '%s' "$1" | tr '"\\' "''" | tr '\n\t' '  ')
  cat >"$OUT/gpu-check.json" <<EOF
{
  "schema": "cubie-gpu-check/1",
  "startedAt": "$(date -u -d "@$T0" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u)",
  "budgetS": $CUBIE_CHECK_BUDGET_S,
  "machine": { "kernel": "$(uname -srm)" },
  "phases": {},
  "skipped": [ { "what": "every phase", "reason": "$reason" } ],
  "failures": [ { "what": "node", "error": "$reason" } ],
  "summary": { "verdict": "failed: $reason" }
}
EOF
}

main() {
  say "cubie GPU check: bundle $(cat "$HERE/BUNDLE_ID" 2>/dev/null || echo '?'), results in $OUT, budget CUBIE_CHECK_BUDGET_S=$CUBIE_CHECK_BUDGET_S s"
  id=$(cat "$HERE/BUNDLE_ID" 2>/dev/null || echo none)
  if [ -f "$WORK/.unpacked" ] && [ "$(cat "$WORK/.unpacked")" = "$id" ] && [ -x "$WORK/node" ]; then
    say "already unpacked in $WORK"
  else
    rm -rf "$WORK" && mkdir -p "$WORK" || { fail_json "cannot create $WORK"; return 2; }
    if ! gzip -dc "$HERE/node.gz" >"$WORK/node"; then fail_json "gzip could not unpack node.gz"; return 2; fi
    chmod 755 "$WORK/node"
    if ! gzip -dc "$HERE/payload.tar.gz" | tar -xf - -C "$WORK"; then fail_json "gzip | tar could not unpack payload.tar.gz"; return 2; fi
    echo "$id" >"$WORK/.unpacked"
    say "unpacked Node.js and cubie into $WORK"
  fi
  APP=$WORK/app
  SYSLIB=$APP/syslib
  mkdir -p "$WORK/bin"
  # Node.js and the addon on this machine's C library, else on the bundle's own.
  probe="require('$APP/build/Release/cubie.node')"
  mode=none
  if [ "${CUBIE_CHECK_NODE_MODE:-}" != bundled ] && "$WORK/node" -e "$probe" >"$WORK/node-check.log" 2>&1; then
    mode=system
    printf '#!/bin/sh\nexec "%s" "$@"\n' "$WORK/node" >"$WORK/bin/node"
  elif [ -f "$SYSLIB/ld-linux-x86-64.so.2" ] && "$SYSLIB/ld-linux-x86-64.so.2" --library-path "$SYSLIB" "$WORK/node" -e "$probe" >>"$WORK/node-check.log" 2>&1; then
    mode=bundled-libc
    printf '#!/bin/sh\nexec "%s" --library-path "%s" "%s" "$@"\n' "$SYSLIB/ld-linux-x86-64.so.2" "$SYSLIB" "$WORK/node" >"$WORK/bin/node"
    [ "${CUBIE_CHECK_NODE_MODE:-}" = bundled ] || say "this machine's C or C++ library is too old for the bundle's Node.js or addon: using the bundle's ($SYSLIB)"
  fi
  if [ "$mode" = none ]; then
    cat "$WORK/node-check.log"
    fail_json "Node.js or the addon cannot start here: $(head -c 600 "$WORK/node-check.log")"
    say "Node.js cannot start here; see $OUT/gpu-check.json"
    return 2
  fi
  chmod 755 "$WORK/bin/node"
  say "Node.js $("$WORK/bin/node" --version) ($mode)"

  CUBIE_CHECK_APP=$APP
  CUBIE_CHECK_NODE=$WORK/bin/node
  CUBIE_CHECK_NODE_MODE=$mode
  CUBIE_CHECK_PYTHON=$(command -v python3 2>/dev/null || command -v python 2>/dev/null || true)
  CUBIE_CHECK_SYSTEM_NODE=$(command -v node 2>/dev/null || true)
  CUBIE_CACHE_DIR=${CUBIE_CACHE_DIR:-$WORK/cache}
  UV_THREADPOOL_SIZE=${UV_THREADPOOL_SIZE:-16}
  export CUBIE_CHECK_APP CUBIE_CHECK_NODE CUBIE_CHECK_NODE_MODE CUBIE_CHECK_PYTHON CUBIE_CHECK_SYSTEM_NODE CUBIE_CACHE_DIR UV_THREADPOOL_SIZE
  "$CUBIE_CHECK_NODE" "$APP/check/check.js"
  rc=$?
  say "done (exit $rc); $OUT/gpu-check.json, $OUT/gpu-check.log"
  return $rc
}

STATUS=$OUT/.run-status.$$
if command -v tee >/dev/null 2>&1; then
  { main; echo $? >"$STATUS"; } 2>&1 | tee "$LOG"
else
  { main; echo $? >"$STATUS"; } >"$LOG" 2>&1
  cat "$LOG"
fi
rc=$(cat "$STATUS" 2>/dev/null || echo 1)
rm -f "$STATUS"
exit "$rc"
