#!/usr/bin/env python3
"""SadTalker's own face-render loop on clips written by tools/sadtalker/fixtures.py: the baseline
bench/sadtalker-speed.sh times Facerender against.

As SadTalker's inference runs it (src/generate_facerender_batch.py, then AnimateFromCoeff.generate):
per clip, the .mat files and the crop are read, the renderer's rows built with
generate_facerender_batch's arithmetic, 27-frame windows grouped into SadTalker's batches (its
default batch of 2, the last batch padded with the last frame's window), then make_animation draws
every frame, re-encoding the source for each; the frames are written as PNG (SadTalker writes an
MP4; PNG is what Facerender writes here, so both write the same bytes' worth). Networks are built
from the checkout's yaml and the fixture's checkpoints, loaded as export.py loads them.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import scipy.io
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools" / "sadtalker"))
import sadtalker_common as common  # noqa: E402
import export as exporter  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sadtalker", required=True, type=Path)
    p.add_argument("--fixtures", required=True, type=Path, help="fixtures.py's --out folder")
    p.add_argument("--out", required=True, type=Path, help="folder for the PNG frames")
    p.add_argument("--batch-size", type=int, default=2, help="SadTalker's --batch_size (default 2)")
    p.add_argument("--threads", type=int, default=0, help="torch threads (default: the cores)")
    p.add_argument("--device", default="cpu")
    args = p.parse_args()
    # SadTalker leaves torch's default; Debian's torch starts with one thread here, so set the
    # cores explicitly for a fair comparison (Facerender's tasks share them too).
    torch.set_num_threads(args.threads or max(1, len(os.sched_getaffinity(0))))
    start = time.monotonic()
    expected = json.loads((args.fixtures / "expected.json").read_text())
    st = common.import_sadtalker(args.sadtalker)
    common.quiet_sadtalker(st)
    preprocess = expected["preprocess"]
    checkpoints = args.fixtures / "checkpoints"
    load = argparse.Namespace(
        config=args.fixtures / expected["config"] if expected.get("reduced") else
        common.default_config(st.root, preprocess),
        preprocess=preprocess,
        checkpoint=args.fixtures / expected["checkpoints"]["safetensors"],
        mapping=args.fixtures / expected["checkpoints"]["mapping"],
        device=args.device)
    nets, _ = exporter.build_and_load(st, load)
    frames = 0
    with torch.no_grad():
        for clip in expected["clips"]:
            rgb = np.asarray(Image.open(args.fixtures / clip["crop"]).convert("RGB"))
            rows, source = common.renderer_rows(
                scipy.io.loadmat(args.fixtures / clip["first_coeff"])["coeff_3dmm"],
                scipy.io.loadmat(args.fixtures / clip["coeffs"])["coeff_3dmm"],
                preprocess, expected.get("expression_scale", 1.0), expected.get("still", False))
            windows = common.sadtalker_windows(rows)
            n, b = len(windows), args.batch_size
            pad = (-n) % b
            if pad:
                windows = np.concatenate([windows, np.repeat(windows[-1:], pad, axis=0)])
            target = torch.from_numpy(windows).reshape(b, -1, *windows.shape[1:]).to(args.device)
            image = common.image_tensor(rgb).to(args.device).repeat(b, 1, 1, 1)
            semantics = torch.from_numpy(common.sadtalker_source_window(source))[None]
            semantics = semantics.repeat(b, 1, 1).to(args.device)
            video = st.make_animation(image, semantics, target, nets["generator"],
                                      nets["kp_detector"], None, nets["mapping"])
            video = video.reshape(-1, *video.shape[2:])[:n]
            size = expected["size"]
            if video.shape[-1] != size:
                # A reduced fixture's network draws small frames; the export resizes them to the
                # source's size, so the baseline does too.
                video = common.resize_frames(video, size, size)
            out = args.out / clip["clip_id"]
            out.mkdir(parents=True, exist_ok=True)
            pixels = common.to_uint8(video).permute(0, 2, 3, 1).cpu().numpy()
            for i, frame in enumerate(pixels):
                Image.fromarray(frame).save(out / f"{i:06d}.png")
            frames += n
    print(f"sadtalker loop: {len(expected['clips'])} clips, {frames} frames in"
          f" {time.monotonic() - start:.1f} s (batch {args.batch_size},"
          f" {torch.get_num_threads()} threads)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
