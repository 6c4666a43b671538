#!/usr/bin/env python3
"""The job as a user would script it with plain PyTorch, for comparison with Facerender.

Reads the JSON Lines dataset (frames: clip_id, frame_index, coeffs; sources: clip_id, base64
PNG), compiles the same TorchScript source as builtin:warp, renders batches on the CPU, encodes
PNGs in a thread pool and writes OUT/<clip>/<frame>.png. Prints one JSON line: frames, seconds
of the render loop and of the whole script after imports.
"""
import argparse
import base64
import glob
import io
import json
import math
import os
import time
from concurrent.futures import ThreadPoolExecutor

STARTED = time.perf_counter()

import torch  # noqa: E402  (imports are part of what a user's run costs; timed from here)
from PIL import Image  # noqa: E402

WARP = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "udf", "src", "main", "resources", "dev", "facerender", "model", "warp.torchscript")


def compile_warp(path):
    """builtin:warp's forward as a free function: its only module state is the `mix` buffer."""
    with open(path, encoding="utf-8") as f:
        source = f.read()
    source = source.replace(
        "def forward(self, source: Tensor, coeffs: Tensor) -> Tensor:",
        "def warp(mix: Tensor, source: Tensor, coeffs: Tensor) -> Tensor:",
    ).replace("self.mix", "mix")
    unit = torch.jit.CompilationUnit(source)
    # The same fixed weights BuiltinModels.mixWeights() registers.
    mix = torch.tensor([0.004 * math.sin(1.7 * i + 0.3) for i in range(240)],
                       dtype=torch.float32).view(60, 4)
    return unit.warp, mix


def read_lines(folder):
    for name in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(name, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", required=True)
    parser.add_argument("--sources", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--png-threads", type=int, default=os.cpu_count())
    parser.add_argument("--compress-level", type=int, default=1,
                        help="zlib level, 1 as Facerender's default")
    parser.add_argument("--torch-threads", type=int, default=0)
    args = parser.parse_args()
    if args.torch_threads > 0:
        torch.set_num_threads(args.torch_threads)
    warp, mix = compile_warp(WARP)

    sources = {}
    for row in read_lines(args.sources):
        image = Image.open(io.BytesIO(base64.b64decode(row["image"]))).convert("RGB")
        pixels = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8)
        sources[row["clip_id"]] = (
            pixels.view(image.height, image.width, 3).permute(2, 0, 1).unsqueeze(0).float() / 255.0)
    clips = {}
    for row in read_lines(args.frames):
        clips.setdefault(row["clip_id"], []).append((row["frame_index"], row["coeffs"]))

    def write(clip, index, array):
        folder = os.path.join(args.out, clip)
        Image.fromarray(array).save(
            os.path.join(folder, f"{index:06d}.png"), compress_level=args.compress_level)

    frames = 0
    loop_start = time.perf_counter()
    with ThreadPoolExecutor(args.png_threads) as pool, torch.no_grad():
        pending = []
        for clip in sorted(clips):
            os.makedirs(os.path.join(args.out, clip), exist_ok=True)
            rows = sorted(clips[clip])
            for i in range(0, len(rows), args.batch):
                chunk = rows[i:i + args.batch]
                coeffs = torch.tensor([c for _, c in chunk], dtype=torch.float32)
                out = warp(mix, sources[clip], coeffs)
                quantized = (out * 255).round().clamp(0, 255).to(torch.uint8)
                arrays = quantized.permute(0, 2, 3, 1).contiguous().numpy()
                for (index, _), array in zip(chunk, arrays):
                    pending.append(pool.submit(write, clip, index, array))
                frames += len(chunk)
        for future in pending:
            future.result()
    loop_seconds = time.perf_counter() - loop_start
    print(json.dumps({
        "frames": frames,
        "loop_seconds": loop_seconds,
        "loop_frames_per_second": frames / loop_seconds,
        "script_seconds": time.perf_counter() - STARTED,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "batch": args.batch,
    }))


if __name__ == "__main__":
    main()
