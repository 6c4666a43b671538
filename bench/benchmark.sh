#!/usr/bin/env bash
# The numbers in docs/performance.md: the CPU benchmark and the simulated-GPU sizing benchmark, each
# one run on this machine, JSON to stdout and everything under bench-out/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/facerender" benchmark --json --out bench-out/cpu --clips 8 --frames 120 --size 256 "$@"
"$root/facerender" benchmark --json --out bench-out/sim-gpu --clips 4 --frames 48 --size 256 \
  --simulate-gpu 8GiB --level high --rounds 1 "$@"
