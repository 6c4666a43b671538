#!/usr/bin/env bash
# Facerender against a plain PyTorch script doing the same job (docs/performance.md, "Against a
# plain script"). Installs Debian's python3-torch and python3-pil for the script: the benchmark's
# set-up only, never the product's. Arguments go to compare.py (--clips, --frames, --rounds, ...).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! /usr/bin/python3 -c 'import torch, PIL' 2>/dev/null; then
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  $sudo_cmd apt-get install -y -q python3-torch python3-pil
fi
cd "$root"
exec /usr/bin/python3 "$root/bench/compare.py" "$@"
