#!/usr/bin/env bash
# GPU discovery script for Spark (spark.worker.resource.gpu.discoveryScript,
# spark.executor.resource.gpu.discoveryScript, spark.driver.resource.gpu.discoveryScript).
# Prints the GPUs this process may use as Spark's ResourceInformation JSON:
#   {"name":"gpu","addresses":["0","1"]}
# The addresses are CUDA device indices: Facerender renders on cuda:ADDRESS. nvidia-smi and CUDA
# number GPUs differently in two ways, and this script and the conf templates make them agree:
# - Order. nvidia-smi numbers GPUs in PCI bus order; CUDA numbers them fastest first unless
#   CUDA_DEVICE_ORDER=PCI_BUS_ID (CUDA Programming Guide, "CUDA Environment Variables"). On a node
#   with mixed GPUs index 0 is then a different card for each. The conf templates set
#   CUDA_DEVICE_ORDER=PCI_BUS_ID for executors and drivers (spark.executorEnv.*,
#   spark.yarn.appMasterEnv.*, spark.kubernetes.driverEnv.*; ./facerender exports it).
# - Visibility. nvidia-smi ignores CUDA_VISIBLE_DEVICES and lists every GPU of the machine; CUDA
#   shows only the GPUs that variable names, renumbered from 0 in its order, up to the first entry
#   that names no GPU. When it is set here, the script prints 0..n-1 for the n GPUs CUDA will show,
#   checking index entries against nvidia-smi (UUID entries, GPU-... and MIG-..., are taken as
#   given). A container runtime that exposes only some GPUs (NVIDIA_VISIBLE_DEVICES, the
#   Kubernetes device plugin) hides the others from nvidia-smi and CUDA alike, so there both
#   number the visible GPUs from 0 and agree.
# With no GPU, or when nvidia-smi fails, it says why on stderr and exits non-zero: Spark then stops
# the Worker or executor with that message instead of scheduling GPU tasks nowhere.
set -uo pipefail

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "getGpusResources.sh: nvidia-smi not found on PATH ($PATH): no NVIDIA driver here" >&2
  exit 1
fi

if ! indices="$(nvidia-smi --query-gpu=index --format=csv,noheader 2>&1)"; then
  echo "getGpusResources.sh: nvidia-smi failed: ${indices}" >&2
  exit 1
fi

listed=()
while IFS= read -r line; do
  line="${line//[[:space:]]/}"
  [[ -z "$line" ]] && continue
  if [[ ! "$line" =~ ^[0-9]+$ ]]; then
    echo "getGpusResources.sh: unexpected nvidia-smi output line '$line' (wanted a GPU index)" >&2
    exit 1
  fi
  listed+=("$line")
done <<<"$indices"

if ((${#listed[@]} == 0)); then
  echo "getGpusResources.sh: nvidia-smi lists no GPU" >&2
  exit 1
fi

addresses=()
if [[ -v CUDA_VISIBLE_DEVICES ]]; then
  if [[ "${CUDA_DEVICE_ORDER:-}" != "PCI_BUS_ID" ]]; then
    echo "getGpusResources.sh: CUDA_DEVICE_ORDER is '${CUDA_DEVICE_ORDER:-}', not PCI_BUS_ID:" \
      "CUDA reads the indices in CUDA_VISIBLE_DEVICES fastest first, nvidia-smi in PCI order" >&2
  fi
  IFS=, read -r -a entries <<<"${CUDA_VISIBLE_DEVICES//[[:space:]]/}"
  for entry in "${entries[@]}"; do
    known=false
    if [[ "$entry" =~ ^(GPU|MIG)- ]]; then
      known=true
    elif [[ "$entry" =~ ^[0-9]+$ ]]; then
      for index in "${listed[@]}"; do
        [[ "$index" == "$entry" ]] && known=true
      done
    fi
    if [[ "$known" != true ]]; then
      echo "getGpusResources.sh: CUDA_VISIBLE_DEVICES entry '$entry' names no GPU nvidia-smi" \
        "lists (${listed[*]}): CUDA shows only the entries before it" >&2
      break
    fi
    addresses+=("\"${#addresses[@]}\"")
  done
  if ((${#addresses[@]} == 0)); then
    echo "getGpusResources.sh: CUDA_VISIBLE_DEVICES='${CUDA_VISIBLE_DEVICES}' leaves CUDA no GPU" >&2
    exit 1
  fi
else
  for index in "${listed[@]}"; do
    addresses+=("\"$index\"")
  done
fi

joined="$(IFS=,; echo "${addresses[*]}")"
echo "{\"name\":\"gpu\",\"addresses\":[${joined}]}"
