#!/usr/bin/env bash
# Hairer & Wanner's rodas.f against cubie's rodas4 on HIRES, OREGO, VDPOL and
# ROBER at rtol 1e-6 ... 1e-10 (README, "rodas4 at tight tolerances").
#
#   bench/baselines/rodas/run.sh [RODAS_SRC]
#
# RODAS_SRC (default bench/baselines/rodas/vendor, ignored by git) holds
# Hairer's Fortran: rodas.f, and the linear algebra it calls, dc_decsol.f and
# decsol.f, as distributed on his page (unige.ch/~hairer/software.html, the
# "stiff" codes; simplified BSD licence, "Copyright (c) 2004, Ernst Hairer").
# They are not copied into this repository. Every .f file there is compiled
# with driver.f, so a single file that holds all three works too.
#
# Needs gfortran (Debian: apt-get install -y gfortran) and a built cubie
# (npm run build:ts). Prints the markdown table of compare.js.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${1:-${RODAS_SRC:-$here/vendor}}
command -v gfortran >/dev/null || { echo "run.sh: needs gfortran (apt-get install -y gfortran)" >&2; exit 1; }
shopt -s nullglob
files=("$src"/*.f)
if [ ! -f "$src/rodas.f" ]; then
  echo "run.sh: no rodas.f in $src: put Hairer's rodas.f, dc_decsol.f and decsol.f there (or pass their folder)" >&2
  exit 1
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
gfortran -O2 -std=legacy -w -o "$out/drrodas" "$here/driver.f" "${files[@]}"
"$out/drrodas" > "$out/rodas.txt"
node "$here/compare.js" "$out/rodas.txt"
