#!/usr/bin/env python3
"""Measures Facerender's built-in models with plain PyTorch: real CUDA memory and frames/s by batch.

No Java, no Spark: it compiles the TorchScript sources the Java build ships (read from this
repository, so the probe renders exactly what Facerender renders), and on a GPU reports what the
CUDA caching allocator really does for each batch size: the peak allocated during the batch over
what was allocated before it, the reserved bytes, the weights' resident bytes and what the CUDA
context and other processes hold. The simulated GPU's constants are checked against this JSON.

  python3 bench/gpu-probe.py                        # cuda:0, 256 px, batches 1..256
  python3 bench/gpu-probe.py --device cpu --max-batch 4 --iters 2    # a smoke run anywhere

Prints one JSON object on stdout. Needs PyTorch (any 1.13+ build; CUDA for the memory figures).
"""

import argparse
import json
import math
import os
import platform
import re
import sys
import time
import types
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parent.parent
MODEL_DIR = "udf/src/main/resources/dev/facerender/model"
BUILTINS = "udf/src/main/java/dev/facerender/model/BuiltinModels.java"
WARP_COEFFS = 70


def mix_weights(repo):
    """builtin:warp's fixed `mix` buffer, computed by the formula BuiltinModels.java uses."""
    java = (repo / BUILTINS).read_text()
    count = int(re.search(r"MIXED_EXPRESSIONS = (\d+);", java).group(1))
    fields = int(re.search(r"MIX_FIELDS = (\d+);", java).group(1))
    formula = re.search(
        r"weights\[i\] = \(float\) \(([\d.]+) \* Math\.sin\(([\d.]+) \* i \+ ([\d.]+)\)\);", java
    )
    if formula is None:
        sys.exit(f"gpu-probe: the mix weights' formula in {BUILTINS} changed: update mix_weights()")
    a, b, c = (float(formula.group(k)) for k in (1, 2, 3))
    values = [a * math.sin(b * i + c) for i in range(count * fields)]
    return torch.tensor(values, dtype=torch.float32).view(count, fields)


def aten_namespace():
    """`torch` as the sources see it: the Java side resolves `torch.X` to the aten op X, which
    Python keeps partly in torch._C._nn (replication_pad2d)."""
    namespace = types.ModuleType("torch")
    namespace.__dict__.update(vars(torch._C._nn))
    namespace.__dict__.update(vars(torch))
    return namespace


def compile_module(name, source, buffers):
    """A TorchScript module from Facerender's source text, as the Java side builds it."""
    aten = aten_namespace()

    class Builtin(torch.jit.ScriptModule):
        def __init__(self):
            super().__init__()
            # define() resolves the source's names in this frame: `torch` is the aten namespace.
            torch = aten  # noqa: F841
            for key, value in buffers.items():
                self.register_buffer(key, value)
            self.define(source)

    Builtin.__name__ = name
    return Builtin()


def load_models(repo):
    models = repo / MODEL_DIR
    warp = compile_module(
        "Warp", (models / "warp.torchscript").read_text(), {"mix": mix_weights(repo)}
    )
    sharpen = compile_module("Sharpen", (models / "sharpen.torchscript").read_text(), {})
    return warp, sharpen


def cuda_figures(device):
    free, total = torch.cuda.mem_get_info(device)
    return {"free_bytes": free, "total_bytes": total}


def measure(device, warp, sharpen, enhance, batch, size, iters):
    """One batch size: peak memory over what was allocated before, and frames/s."""
    cuda = device.type == "cuda"
    generator = torch.Generator().manual_seed(batch)
    # One source per frame (frames of different clips), coefficients a little off neutral.
    source_cpu = torch.rand(batch, 3, size, size, generator=generator)
    coeffs_cpu = (torch.rand(batch, WARP_COEFFS, generator=generator) - 0.5) * 0.2

    def run():
        source = source_cpu.to(device)
        coeffs = coeffs_cpu.to(device)
        frames = warp(source, coeffs)
        if enhance:
            frames = sharpen(frames)
        # Facerender quantizes on the device and copies bytes back.
        return frames.mul(255).round().clamp(0, 255).to(torch.uint8).cpu()

    with torch.inference_mode():
        run()  # warm-up: kernels, allocator pools
        if cuda:
            torch.cuda.synchronize(device)
            torch.cuda.reset_peak_memory_stats(device)
            before = torch.cuda.memory_allocated(device)
        run()
        if cuda:
            torch.cuda.synchronize(device)
            peak = torch.cuda.max_memory_allocated(device)
            reserved = torch.cuda.max_memory_reserved(device)
        start = time.perf_counter()
        for _ in range(iters):
            run()
        if cuda:
            torch.cuda.synchronize(device)
        seconds = time.perf_counter() - start
    point = {
        "batch": batch,
        "frames_per_second": round(batch * iters / seconds, 1),
        "peak_allocated_bytes": peak if cuda else None,
        "batch_peak_bytes": peak - before if cuda else None,
        "peak_reserved_bytes": reserved if cuda else None,
        "allocated_before_bytes": before if cuda else None,
    }
    if cuda:
        point.update(cuda_figures(device))
    return point


def linear_fit(points):
    """Fixed + per-frame bytes, least squares over the measured batch peaks."""
    xs = [p["batch"] for p in points if p.get("batch_peak_bytes") is not None]
    ys = [p["batch_peak_bytes"] for p in points if p.get("batch_peak_bytes") is not None]
    if len(xs) < 2:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return {"fixed_bytes": round(my - slope * mx), "per_frame_bytes": round(slope)}


def is_oom(error):
    return "out of memory" in str(error).lower()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda:0", help="cuda:N or cpu (default cuda:0)")
    parser.add_argument("--size", type=int, default=256, help="frame width and height (256)")
    parser.add_argument("--max-batch", type=int, default=256, help="largest batch tried (256)")
    parser.add_argument("--iters", type=int, default=10, help="timed batches per size (10)")
    parser.add_argument(
        "--repo", type=Path, default=REPO, help="Facerender checkout holding the model sources"
    )
    args = parser.parse_args()

    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        sys.exit("gpu-probe: this PyTorch has no CUDA device; pass --device cpu for a smoke run")
    report = {
        "probe": "gpu-probe",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "device": str(device),
        "size": args.size,
        "iters": args.iters,
    }
    if device.type == "cuda":
        torch.cuda.init()
        props = torch.cuda.get_device_properties(device)
        report["gpu"] = {
            "name": props.name,
            "capability": f"{props.major}.{props.minor}",
            "cuda_runtime": torch.version.cuda,
            "cudnn": torch.backends.cudnn.version(),
            "device_order": os.environ.get("CUDA_DEVICE_ORDER"),
        }
        # Before anything of ours: what the context and other processes already hold.
        torch.zeros(1, device=device)
        torch.cuda.synchronize(device)
        report["at_start"] = cuda_figures(device)
        report["at_start"]["allocated_bytes"] = torch.cuda.memory_allocated(device)
        report["at_start"]["reserved_bytes"] = torch.cuda.memory_reserved(device)

    warp, sharpen = load_models(args.repo)
    before = torch.cuda.memory_allocated(device) if device.type == "cuda" else 0
    warp.to(device).eval()
    sharpen.to(device).eval()
    if device.type == "cuda":
        report["weights_resident_bytes"] = torch.cuda.memory_allocated(device) - before

    batches = [1]
    while batches[-1] * 2 <= args.max_batch:
        batches.append(batches[-1] * 2)
    report["models"] = {}
    for name, enhance in (("builtin:warp", False), ("builtin:warp+builtin:sharpen", True)):
        points = []
        for batch in batches:
            try:
                points.append(measure(device, warp, sharpen, enhance, batch, args.size, args.iters))
            except RuntimeError as error:
                if not is_oom(error):
                    raise
                points.append({"batch": batch, "oom": str(error).splitlines()[0]})
                if device.type == "cuda":
                    torch.cuda.empty_cache()
                break
        report["models"][name] = {"points": points, "fit": linear_fit(points)}
    json.dump(report, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
