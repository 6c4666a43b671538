#!/usr/bin/env python3
"""The job as a user would script it with plain PyTorch, for comparison with Facerender.

Reads the JSON Lines dataset (frames: clip_id, frame_index, coeffs; sources: clip_id, base64
PNG), compiles the same TorchScript source as builtin:warp, renders batches on the CPU, encodes
PNGs in a thread pool and writes OUT/<clip>/<frame>.png. Prints one JSON line: frames, seconds
of the render loop and of the whole script after imports.

--module FILE runs a model saved by `facerender export-model MODEL --out FILE` instead (loaded with
torch.jit.load; FILE.json beside it says its inputs): the model Facerender runs, fed as Facerender
feeds it (the clip's image, or encode_source's output once per clip, expanded over the batch).
--device cuda:N renders there: inputs copied to the GPU, frames quantised to 8 bits on it and
copied back, as Facerender does. bench/gpu-day.sh times this script's whole process against
Facerender's on the same dataset:

  facerender export-model builtin:warp --out warp.pt
  python3 bench/plain_pytorch.py --frames F --sources S --out OUT --module warp.pt \
      --device cuda:0 --batch 64
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


def load_module(path, device):
    """An export-model file and its inputs; only what this script feeds (one coefficient row per
    frame) is accepted."""
    with open(path + ".json", encoding="utf-8") as f:
        inputs = json.load(f)
    if inputs.get("kind") != "renderer" or inputs.get("window_width", 1) != 1:
        raise SystemExit(
            f"plain_pytorch: {path} is a {inputs.get('kind')} with window width"
            f" {inputs.get('window_width')}: this script feeds renderers one coefficient row per"
            " frame (window radius 0)")
    module = torch.jit.load(path, map_location=device).eval()
    return module, inputs


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
    parser.add_argument("--device", default="cpu", help="cpu or cuda:N (default cpu)")
    parser.add_argument("--module", help="a file from `facerender export-model`, run instead of"
                        " builtin:warp's source")
    args = parser.parse_args()
    if args.torch_threads > 0:
        torch.set_num_threads(args.torch_threads)
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("plain_pytorch: this PyTorch has no CUDA device")
    if args.module:
        module, inputs = load_module(args.module, device)

        def render(source, coeffs):
            source = source.expand(coeffs.shape[0], *source.shape[1:])
            if inputs.get("takes_source_coeffs"):
                return module(source, coeffs, torch.zeros_like(coeffs))
            return module(source, coeffs)

        def prepare(source):
            return module.encode_source(source) if inputs.get("has_encode_source") else source
    else:
        warp, mix = compile_warp(WARP)
        mix = mix.to(device)

        def render(source, coeffs):
            return warp(mix, source, coeffs)

        def prepare(source):
            return source

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
    no_grad = getattr(torch, "inference_mode", torch.no_grad)
    with ThreadPoolExecutor(args.png_threads) as pool, no_grad():
        pending = []
        for clip in sorted(clips):
            os.makedirs(os.path.join(args.out, clip), exist_ok=True)
            rows = sorted(clips[clip])
            source = prepare(sources[clip].to(device))
            for i in range(0, len(rows), args.batch):
                chunk = rows[i:i + args.batch]
                coeffs = torch.tensor([c for _, c in chunk], dtype=torch.float32).to(device)
                out = render(source, coeffs)
                # Quantised on the device: a quarter of the float bytes cross to the host.
                quantized = (out * 255).round().clamp(0, 255).to(torch.uint8)
                arrays = quantized.permute(0, 2, 3, 1).contiguous().cpu().numpy()
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
        "device": str(device),
        "module": args.module,
    }))


if __name__ == "__main__":
    main()
