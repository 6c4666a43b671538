#!/usr/bin/env python3
"""Measures Facerender's models with plain PyTorch: real CUDA memory and frames/s by batch.

No Java, no Spark: it compiles the TorchScript sources the Java build ships (read from this
repository, so the probe renders exactly what Facerender renders), and on a GPU reports what the
CUDA caching allocator really does for each batch size: the peak allocated during the batch over
what was allocated before it, the reserved bytes, the weights' resident bytes and what the CUDA
context and other processes hold. The simulated GPU's constants are checked against this JSON.

  python3 bench/gpu-probe.py                        # cuda:0, 256 px, batches 1..256
  python3 bench/gpu-probe.py --device cpu --max-batch 4 --iters 2    # a smoke run anywhere

The ceiling (--module FILE): a model as Facerender runs it, saved by `facerender export-model
MODEL --out FILE` (any built-in or user file; FILE.json beside it says the inputs Facerender feeds
it), loaded with torch.jit.load and timed by batch in plain PyTorch: forward only, under
torch.inference_mode, inputs already on the device, each timed run synchronised at both ends,
each batch shape warmed up until two consecutive runs are within --settle (10%) or --warmup-max
runs have passed. It reports frames/s per batch and the best batch: the ceiling that Facerender's
model-only speed on the same device is compared with.

  facerender export-model builtin:warp --out warp.pt
  python3 bench/gpu-probe.py --module warp.pt --device cuda:0

With --include-quantize each batch is also timed as Facerender's render times it: forward, then the
frames quantised to 8 bits on the device (x255, round, clamp, uint8, NHWC), the per-frame
non-finite check and the copy to the host. Each point then reports both: `frames_per_second`
(model only) and `with_quantize_copy` (model + uint8 + copy to host), and `best_with_quantize_copy`
is the best batch by the second. --precision sets the arithmetic as Facerender's --precision does;
--batches times the sizes listed instead of 1, 2, 4 ... --max-batch.

Files from libtorch 2.10 (Facerender's) load in PyTorch 1.13 and later: the archive's version
record is the highest upgraded operator the model uses (3 to 8 for the built-ins, PyTorch 1.13
reads up to 10). A file that this PyTorch cannot read stops the probe with the archive's version,
the highest this PyTorch reads, and what to do (a newer PyTorch, or export the model again).

Prints one JSON object on stdout. Needs PyTorch (any 1.13+ build; CUDA for the memory figures).
"""

import argparse
import json
import math
import os
import platform
import re
import statistics
import sys
import time
import types
import zipfile
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


def archive_version(path):
    """The `version` record of a TorchScript archive (its file-format version), or None."""
    try:
        with zipfile.ZipFile(path) as archive:
            name = next((n for n in archive.namelist() if n.endswith("/version")), None)
            return int(archive.read(name).decode().strip()) if name else None
    except (OSError, ValueError, zipfile.BadZipFile):
        return None


def load_module(path, device):
    """torch.jit.load onto `device`, or exit saying why this PyTorch cannot read the file."""
    try:
        module = torch.jit.load(str(path), map_location=device)
    except Exception as error:  # noqa: BLE001 - every load failure gets the same explanation
        text = str(error).strip()
        first = text.splitlines()[0] if text else type(error).__name__
        version = archive_version(path)
        readable = torch._C._get_max_operator_version()
        if version is None:
            why = "not a TorchScript archive: export the model with `facerender export-model`"
        else:
            newer = "newer than" if version > readable else "within"
            why = (
                f"archive version {version}, {newer} the {readable} this PyTorch reads: use a"
                " PyTorch at least as new as the libtorch that saved it (Facerender's: 2.10)"
            )
        sys.exit(f"gpu-probe: PyTorch {torch.__version__} cannot load {path}: {first} ({why})")
    return module.eval()


def read_inputs(path):
    """FILE.json, written by `facerender export-model` beside FILE."""
    sidecar = Path(str(path) + ".json")
    if not sidecar.is_file():
        sys.exit(
            f"gpu-probe: no {sidecar}: export the model with `facerender export-model MODEL"
            f" --out {path}`, which writes the inputs Facerender feeds it there"
        )
    inputs = json.loads(sidecar.read_text())
    if inputs.get("sidecar_version") != 1:
        sys.exit(f"gpu-probe: {sidecar} has sidecar_version {inputs.get('sidecar_version')}, not 1")
    return inputs


def module_inputs(module, inputs, batch, size, device):
    """The arguments Facerender passes forward for a batch of one clip's frames, on `device`."""
    generator = torch.Generator().manual_seed(batch)
    if inputs["kind"] == "enhancer":
        return (torch.rand(batch, 3, size, size, generator=generator).to(device),)
    # One clip: its image (or what encode_source makes of it, once per clip) expanded over the batch.
    source = torch.rand(1, 3, size, size, generator=generator).to(device)
    if inputs["has_encode_source"]:
        source = module.encode_source(source)
    source = source.expand(batch, *source.shape[1:])
    c, w = inputs["coeff_count"], inputs["window_width"]
    shape = (batch, c, w) if w > 1 else (batch, c)
    coeffs = ((torch.rand(*shape, generator=generator) - 0.5) * 0.2).to(device)
    if inputs["takes_source_coeffs"]:
        return source, coeffs, torch.zeros(batch, c).to(device)
    return source, coeffs


def timed_run(module, args, device):
    """Seconds for one forward: the device's queue is empty at both ends."""
    cuda = device.type == "cuda"
    if cuda:
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    module(*args)
    if cuda:
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def precision_context(precision, device):
    """Facerender's --precision in plain PyTorch: fp32 strict (PyTorch lets cuDNN use TF32 unless
    told not to), tf32 for convolutions and matrix products, bf16/fp16 under autocast."""
    import contextlib

    tf32 = precision == "tf32"
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    if precision in ("bf16", "fp16"):
        dtype = torch.bfloat16 if precision == "bf16" else torch.float16
        return torch.autocast(device_type=device.type, dtype=dtype)
    return contextlib.nullcontext()


class QuantizeCopy:
    """forward, then what Facerender's render does with the frames before encoding them
    (TensorFrames.toFrameBytes and nonFinite): x255, round, clamp, uint8, NHWC, contiguous, on the
    device; one sum per frame for NaN/infinity; both copied to the host (the copy synchronises)."""

    def __init__(self, module):
        self.module = module

    def __call__(self, *args):
        frames = self.module(*args)
        sums = frames.float().flatten(1).sum(1).cpu()
        pixels = frames.mul(255).round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1)
        return pixels.contiguous().cpu(), sums


def settle_and_time(run, args, device, options):
    """Warm `run` up until two consecutive runs agree (or --warmup-max), then time --iters runs."""
    previous = timed_run(run, args, device)
    warmup, settled = 1, False
    while warmup < options.warmup_max and not settled:
        seconds = timed_run(run, args, device)
        settled = abs(seconds - previous) <= options.settle * max(seconds, previous)
        previous, warmup = seconds, warmup + 1
    runs = sorted(timed_run(run, args, device) for _ in range(options.iters))
    return runs, warmup, settled


def measure_module(module, inputs, batch, size, device, options):
    """One batch size: warm up until two consecutive runs agree, then time --iters runs; with
    --include-quantize the same again for forward + quantise + copy to the host."""
    with torch.inference_mode(), precision_context(options.precision, device):
        args = module_inputs(module, inputs, batch, size, device)
        runs, warmup, settled = settle_and_time(module, args, device, options)
        if options.include_quantize:
            copied, copied_warmup, copied_settled = settle_and_time(
                QuantizeCopy(module), args, device, options
            )
    median = statistics.median(runs)
    point = {
        "batch": batch,
        "frames_per_second": significant(batch / median),
        "best_frames_per_second": significant(batch / runs[0]),
        "median_seconds": round(median, 6),
        "warmup_runs": warmup,
        "settled": settled,
    }
    if options.include_quantize:
        copied_median = statistics.median(copied)
        point["with_quantize_copy"] = {
            "frames_per_second": significant(batch / copied_median),
            "best_frames_per_second": significant(batch / copied[0]),
            "median_seconds": round(copied_median, 6),
            "warmup_runs": copied_warmup,
            "settled": copied_settled,
        }
    return point


def significant(value):
    """Four significant digits: 0.2114 frames/s as well as 9814 (a fixed decimal loses one)."""
    return float(f"{value:.4g}")


def device_name(device):
    if device.type == "cuda":
        return torch.cuda.get_device_properties(device).name
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return f"{line.split(':', 1)[1].strip()} ({os.cpu_count()} CPUs)"
    except OSError:
        pass
    return platform.processor() or platform.machine()


def probe_module(args, device, batches):
    """The --module report: frames/s per batch of the exported model and the best batch."""
    inputs = read_inputs(args.module)
    module = load_module(args.module, device)
    size = args.size or inputs["size"]
    points = []
    for batch in batches:
        try:
            points.append(measure_module(module, inputs, batch, size, device, args))
        except RuntimeError as error:
            if not is_oom(error):
                raise
            points.append({"batch": batch, "oom": str(error).splitlines()[0]})
            if device.type == "cuda":
                torch.cuda.empty_cache()
            break
    timed = [p for p in points if "frames_per_second" in p]
    copied = [p for p in timed if "with_quantize_copy" in p]
    extra = {}
    if args.include_quantize:
        extra["measures"] = {
            "frames_per_second": "model only",
            "with_quantize_copy": "model + uint8 + copy to host",
        }
        extra["best_with_quantize_copy"] = (
            max(copied, key=lambda p: p["with_quantize_copy"]["frames_per_second"])
            if copied
            else None
        )
    return {
        "module": str(args.module),
        "module_bytes": os.path.getsize(args.module),
        "archive_version": archive_version(args.module),
        "inputs": inputs,
        "size": size,
        "settle": args.settle,
        "precision": args.precision,
        "warmup_max": args.warmup_max,
        "torch_threads": torch.get_num_threads(),
        "points": points,
        "best": max(timed, key=lambda p: p["frames_per_second"]) if timed else None,
        **extra,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda:0", help="cuda:N or cpu (default cuda:0)")
    parser.add_argument(
        "--size", type=int, help="frame width and height (256; with --module, FILE.json's)"
    )
    parser.add_argument("--max-batch", type=int, default=256, help="largest batch tried (256)")
    parser.add_argument("--iters", type=int, default=10, help="timed batches per size (10)")
    parser.add_argument(
        "--repo", type=Path, default=REPO, help="Facerender checkout holding the model sources"
    )
    parser.add_argument(
        "--module",
        type=Path,
        help="a file from `facerender export-model`: time it instead of the built-in sources",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=0.10,
        help="--module warm-up ends when two consecutive runs differ by at most this (0.10)",
    )
    parser.add_argument(
        "--warmup-max", type=int, default=20, help="--module warm-up runs per batch at most (20)"
    )
    parser.add_argument(
        "--threads", type=int, help="torch.set_num_threads (default: PyTorch's own choice)"
    )
    parser.add_argument(
        "--precision",
        choices=("fp32", "tf32", "bf16", "fp16"),
        default="fp32",
        help="--module: the arithmetic, as Facerender's --precision (fp32: strict, no TF32)",
    )
    parser.add_argument(
        "--include-quantize",
        action="store_true",
        help="--module: also time forward + 8-bit quantising + copy to the host, as a render does",
    )
    parser.add_argument(
        "--batches",
        help="comma-separated batch sizes to time instead of 1, 2, 4 ... --max-batch",
    )
    args = parser.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    if args.iters < 1 or args.max_batch < 1 or args.warmup_max < 1:
        sys.exit("gpu-probe: --iters, --max-batch and --warmup-max must be >= 1")

    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        sys.exit("gpu-probe: this PyTorch has no CUDA device; pass --device cpu for a smoke run")
    report = {
        "probe": "gpu-probe",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "device": str(device),
        "device_name": device_name(device),
        "size": args.size or 256,
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

    batches = [1]
    while batches[-1] * 2 <= args.max_batch:
        batches.append(batches[-1] * 2)
    if args.batches:
        try:
            batches = sorted({int(b) for b in args.batches.split(",") if b.strip()})
        except ValueError:
            sys.exit(f"gpu-probe: --batches takes whole numbers, got {args.batches!r}")
        if not batches or batches[0] < 1:
            sys.exit("gpu-probe: --batches must list sizes >= 1")
    if args.module is not None:
        report.update(probe_module(args, device, batches))
        json.dump(report, sys.stdout, indent=2)
        print()
        return

    warp, sharpen = load_models(args.repo)
    before = torch.cuda.memory_allocated(device) if device.type == "cuda" else 0
    warp.to(device).eval()
    sharpen.to(device).eval()
    if device.type == "cuda":
        report["weights_resident_bytes"] = torch.cuda.memory_allocated(device) - before

    report["models"] = {}
    for name, enhance in (("builtin:warp", False), ("builtin:warp+builtin:sharpen", True)):
        points = []
        for batch in batches:
            try:
                points.append(
                    measure(device, warp, sharpen, enhance, batch, report["size"], args.iters)
                )
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
