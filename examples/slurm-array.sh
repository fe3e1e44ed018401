#!/bin/bash
# Solve examples/lorenz.yaml on a Slurm cluster as a job array: each array
# task solves one shard (a contiguous block of the batch's runs) and writes
# results/lorenz.shard-I-of-N.{npy,summaries.npy,status.npy,json}.
#
#   mkdir -p logs results
#   jobid=$(sbatch --parsable examples/slurm-array.sh)
#   sbatch --dependency=afterok:$jobid --job-name=cubie-merge --output=logs/%x-%j.out \
#          --wrap 'npx cubie merge results/lorenz.shard-*.npy --out results/lorenz.npy'
#
# cubie reads the shard from Slurm: I = SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN,
# N = SLURM_ARRAY_TASK_COUNT, so the array's size is the number of shards
# (change --array freely; any evenly spaced range such as 0-15 or 1-32 works).
# Shard I takes runs floor(I*nRuns/N) .. floor((I+1)*nRuns/N)-1, and the merge
# checks that every run is there exactly once and that all shards come from
# the same model and settings.
#
#SBATCH --job-name=cubie-lorenz
#SBATCH --array=0-7
#SBATCH --cpus-per-task=8
#SBATCH --mem=4G
#SBATCH --time=00:30:00
#SBATCH --output=logs/%x-%A_%a.out
# On GPU nodes, ask for a GPU and cubie uses it (backend 'auto'):
##SBATCH --gres=gpu:1

set -euo pipefail

# One kernel cache for every task: the first task to need a kernel compiles
# it (under a file lock), the others load it from disk.
export CUBIE_CACHE_DIR="${CUBIE_CACHE_DIR:-$HOME/.cache/cubie}"

# --json: one JSON line per event in the task's log, ending with a 'done'
# event (runs, failed runs, wall time, peak memory).
npx cubie run examples/lorenz.yaml --out results/lorenz.npy --threads "${SLURM_CPUS_PER_TASK:-1}" --json
