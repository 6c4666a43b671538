#!/usr/bin/env python3
"""Write a SadTalker test fixture set from seeded random weights.

  /usr/bin/python3 tools/sadtalker/fixtures.py --sadtalker ../shared/sadtalker --out /tmp/st \
      --reduced --reference

Used by the project's tests and by docs/sadtalker-export.md as a dry run of export.py when no
real checkpoint is at hand. Writes, under --out:

  checkpoints/SadTalker_V0.0.2_<size>.safetensors   generator.* and kp_extractor.* (written by a
                                                    small safetensors writer) plus one tiny
                                                    placeholder per sub-model the face renderer
                                                    ignores (audio2exp, audio2pose, face_3drecon)
  checkpoints/facevid2vid_00189-model.pth.tar        the same weights, old format
  checkpoints/mapping_00229-model.pth.tar (crop) or mapping_00109-model.pth.tar (full)
  facerender[_still]_reduced.yaml                    with --reduced: the yaml to pass to export.py
  clips/<id>/first_frame_dir/<id>.png                the face crop (size x size)
  clips/<id>/first_frame_dir/<id>.mat                first_coeff as preprocess writes it
                                                    (coeff_3dmm [1,73] float32, full_3dmm [1,257])
  clips/<id>/<id>##audio.mat                         audio2coeff's output (coeff_3dmm [M,70]
                                                    float32)
  clips/<id>/frame_coeffs.npy, source_coeffs.npy     what SadTalker feeds the renderer (float32)
  clips/<id>/reference/frame_NNNN.png                with --reference: make_animation's frames
  manifest.csv                                       clip_id,coeffs,crop,first_coeff
  expected.json                                      all of the above, with the coefficient rows

Same seed, same torch version: same files.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import scipy.io
import torch
import yaml
from PIL import Image
from torch.nn.utils.spectral_norm import SpectralNorm

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sadtalker_common as common  # noqa: E402
from sadtalker_common import UserError  # noqa: E402

# Factor on the decoder's last convolution. Random weights saturate the decoder's sigmoid only
# while the spectral norms' u, v are fresh random vectors (measured: logits std ~75 on the
# reduced net); randomize() runs their power iteration, after which logits have std ~0.3-0.45,
# and x2 spreads the reduced net's frames over most of the 8-bit range (measured: 25..240, 1st to
# 99th percentile 57..215) without saturating, so every pixel counts in 8-bit comparisons. (The
# x0.05 once suggested for fresh u, v gives near-flat grey frames here.)
DECODER_SCALE = 2.0

# Spatial size of the reduced generator's features, the SPADE decoder's input (see reduced_config).
REDUCED_DECODER_INPUT = 8

# Sub-models SadTalker_V0.0.2_<size>.safetensors holds besides the face renderer's (its
# model2safetensor.py): a loader must skip them.
OTHER_SAFETENSORS_PREFIXES = ("audio2exp.", "audio2pose.", "face_3drecon.")


def reduced_config(config: dict, size: int) -> dict:
    """A much cheaper copy of the yaml with the same structure.

    SPADEDecoder's channels are hard-coded (256 in, 512 inside, ~57 M parameters), so its cost
    only falls with its spatial size: the generator gets a smaller block_expansion and, to keep
    block_expansion * 2**num_down_blocks = 256, more down blocks, until the decoder runs on
    8x8 features (measured at 256 px on a 2-core CPU, one torch thread: ~0.7 s a frame with
    16x16, ~0.3 s with 8x8). Its frames are then 32x32 (the decoder upsamples 4x), below the input size; the
    exported wrapper resizes them to the source's size as for any size mismatch. The other
    sizes are kept consistent (see sadtalker_common.config_problems).
    """
    c = copy.deepcopy(config)
    p = c["model_params"]
    down = int(math.log2(size // REDUCED_DECODER_INPUT))
    feature_channel, depth = 8, 16
    p["common_params"]["feature_channel"] = feature_channel
    p["generator_params"].update(
        block_expansion=common.SPADE_DECODER_CHANNELS >> down, num_down_blocks=down,
        max_features=feature_channel * depth, reshape_channel=feature_channel,
        reshape_depth=depth, num_resblocks=2)
    p["generator_params"]["dense_motion_params"].update(
        block_expansion=8, max_features=32, num_blocks=3, reshape_depth=depth, compress=4)
    kp = p["kp_detector_params"]
    kp.update(block_expansion=8, max_features=64, num_blocks=3, reshape_depth=depth)
    top = min(kp["max_features"], kp["block_expansion"] * 2 ** kp["num_blocks"])
    kp["reshape_channel"] = top * depth  # KPHourglass views its conv output as [top, depth]
    p["he_estimator_params"].update(block_expansion=16)
    p["mapping_params"]["descriptor_nc"] = 64
    problems = common.config_problems(c)
    assert not problems, problems
    return c


def randomize(nets: dict, seed: int, decoder_scale: float) -> None:
    """Makes the seeded default-initialised networks a stronger test of export.py.

    - Batch norms get random running statistics and affine parameters: a loader that misplaces
      them, or a trace in train mode (batch statistics), changes the frames.
    - Spectral norms get their power iteration run to convergence: fresh random u, v would make
      eval-mode sigma = u^T W v arbitrary (even near zero), as no trained checkpoint has it.
    """
    g = torch.Generator().manual_seed(seed + 7919)
    with torch.no_grad():
        for net in nets.values():
            for m in net.modules():
                if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                    n = m.num_features
                    m.running_mean.copy_(torch.randn(n, generator=g) * 0.1)
                    m.running_var.copy_(torch.rand(n, generator=g) * 0.5 + 0.75)
                    if m.affine:
                        m.weight.copy_(1 + torch.randn(n, generator=g) * 0.1)
                        m.bias.copy_(torch.randn(n, generator=g) * 0.1)
                for hook in m._forward_pre_hooks.values():
                    if isinstance(hook, SpectralNorm):
                        for _ in range(30):
                            hook.compute_weight(m, do_power_iteration=True)
        conv = nets["generator"].decoder.conv_img
        conv.weight.mul_(decoder_scale)
        conv.bias.mul_(decoder_scale)


def write_checkpoints(nets: dict, ckpt_dir: Path, size: int, preprocess: str, seed: int) -> dict:
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    gen, kp, mapping = (nets[k].state_dict() for k in ("generator", "kp_detector", "mapping"))
    tensors = {common.SAFETENSORS_PREFIX["generator"] + k: v for k, v in gen.items()}
    tensors.update({common.SAFETENSORS_PREFIX["kp_detector"] + k: v for k, v in kp.items()})
    for prefix in OTHER_SAFETENSORS_PREFIXES:
        tensors[prefix + "fixture_placeholder"] = torch.zeros(1)
    st_path = ckpt_dir / common.safetensors_name(size)
    common.write_safetensors(st_path, tensors,
                             metadata={"format": "pt", "facerender_fixture_seed": seed})

    old = {"generator": gen, "kp_detector": kp, "epoch": 189}
    if "he_estimator" in nets:
        old["he_estimator"] = nets["he_estimator"].state_dict()
    pth_path = ckpt_dir / common.FACEVID2VID_FILE
    torch.save(old, pth_path)

    mapping_path = ckpt_dir / common.MAPPING_FILE[preprocess]
    torch.save({"mapping": mapping, "epoch": common.MAPPING_EPOCH[preprocess]}, mapping_path)
    return {"safetensors": st_path, "pth_tar": pth_path, "mapping": mapping_path}


def write_mat(path: Path, variables: dict) -> None:
    """scipy.io.savemat (MAT 5, as SadTalker writes), with a fixed header text: savemat puts the
    creation time in the 116-byte header, which would make same-seed fixtures differ."""
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, variables)
    data = bytearray(buffer.getvalue())
    text = (b"MATLAB 5.0 MAT-file Platform: posix,"
            b" Created by: facerender tools/sadtalker/fixtures.py")
    data[:116] = text.ljust(116, b" ")
    path.write_bytes(bytes(data))


def write_png(path: Path, rgb: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgb, "RGB").save(path, optimize=False)


def reference_frames(st, nets: dict, rgb: np.ndarray, rows: np.ndarray, source: np.ndarray,
                     size: int) -> torch.Tensor:
    """make_animation's frames for one clip as uint8 [M, 3, size, size]; a reduced network's
    smaller frames are resized as the exported wrapper does."""
    with torch.no_grad():
        out = st.make_animation(
            common.image_tensor(rgb),
            torch.from_numpy(common.sadtalker_source_window(source))[None],
            torch.from_numpy(common.sadtalker_windows(rows))[None],
            nets["generator"], nets["kp_detector"], None, nets["mapping"])[0]
    return common.to_uint8(common.resize_frames(out, size, size))


def write_clip(out: Path, clip_id: str, index: int, args, st, nets) -> dict:
    base = args.seed * 1000 + index * 10
    clip_dir = out / "clips" / clip_id
    rgb = common.synthetic_face(args.size, seed=base + 1)
    first = common.synthetic_first_coeff(seed=base + 2)
    audio = common.synthetic_audio_coeffs(args.frames, seed=base + 3)
    full_3dmm = np.random.default_rng(base + 4).normal(0, 0.5, (1, 257)).astype(np.float32)

    crop = clip_dir / "first_frame_dir" / f"{clip_id}.png"
    first_path = clip_dir / "first_frame_dir" / f"{clip_id}.mat"
    coeffs_path = clip_dir / f"{clip_id}##audio.mat"
    write_png(crop, rgb)
    # As SadTalker writes them: preprocess saves float32 coefficients with its crop parameters,
    # audio2coeff saves its float32 prediction (70 columns).
    write_mat(first_path, {"coeff_3dmm": first, "full_3dmm": full_3dmm})
    write_mat(coeffs_path, {"coeff_3dmm": audio})

    # What get_facerender_data feeds the renderer, from the files as written (loadmat round trip).
    rows, source = common.renderer_rows(scipy.io.loadmat(first_path)["coeff_3dmm"],
                                        scipy.io.loadmat(coeffs_path)["coeff_3dmm"],
                                        args.preprocess,
                                        expression_scale=args.expression_scale,
                                        still=args.still)
    np.save(clip_dir / "frame_coeffs.npy", rows)
    np.save(clip_dir / "source_coeffs.npy", source)

    rel = lambda p: p.relative_to(out).as_posix()  # noqa: E731
    entry = {
        "clip_id": clip_id,
        "crop": rel(crop),
        "first_coeff": rel(first_path),
        "coeffs": rel(coeffs_path),
        "frame_count": int(rows.shape[0]),
        "coeff_count": int(rows.shape[1]),
        "frame_coeffs_npy": rel(clip_dir / "frame_coeffs.npy"),
        "source_coeffs_npy": rel(clip_dir / "source_coeffs.npy"),
        # float32 values written as the shortest decimal that reads back as the same double,
        # so parsing as double and narrowing to float gives the float32 bits back.
        "frame_coeffs": [[float(v) for v in row] for row in rows],
        "source_coeffs": [float(v) for v in source],
    }
    if args.reference:
        frames = reference_frames(st, nets, rgb, rows, source, args.size)
        entry["reference"] = []
        for i, frame in enumerate(frames):
            path = clip_dir / "reference" / f"frame_{i:04d}.png"
            write_png(path, frame.permute(1, 2, 0).numpy())
            entry["reference"].append(rel(path))
    return entry


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Write SadTalker face-renderer test fixtures from seeded random weights:"
                    " checkpoints in both formats, clips as SadTalker's preprocess and audio2coeff"
                    " leave them, the renderer inputs SadTalker derives from them and, with"
                    " --reference, make_animation's frames.")
    p.add_argument("--sadtalker", required=True, type=Path,
                   help="SadTalker checkout (the folder holding src/)")
    p.add_argument("--out", required=True, type=Path, help="folder to write (created)")
    p.add_argument("--preprocess", choices=("crop", "full"), default="crop",
                   help="crop: 70 coefficients, facerender.yaml; full: 73, facerender_still.yaml")
    p.add_argument("--size", type=int, choices=(256, 512), default=256,
                   help="crop size and checkpoint name (default 256)")
    p.add_argument("--reduced", action="store_true",
                   help="write and use a reduced yaml (a network cheap enough for CPU tests)")
    p.add_argument("--clips", type=int, default=2, metavar="N", help="clips (default 2)")
    p.add_argument("--frames", type=int, default=32, metavar="M",
                   help="frames per clip (default 32: more than a 27-frame window)")
    p.add_argument("--seed", type=int, default=0, help="seed for weights and data (default 0)")
    p.add_argument("--reference", action="store_true",
                   help="also render each clip with SadTalker's make_animation (PNG per frame,"
                        " round(x*255))")
    p.add_argument("--with-he-estimator", action="store_true",
                   help="also put a random HEEstimator in the .pth.tar, as real ones have"
                        " (~120 MB; export.py ignores it)")
    p.add_argument("--decoder-scale", type=float, default=DECODER_SCALE,
                   help=f"factor on generator.decoder.conv_img (default {DECODER_SCALE}): sets"
                        " how much of the 8-bit range the random frames use")
    p.add_argument("--still", action="store_true",
                   help="expected rows and reference frames as SadTalker's --still makes them")
    p.add_argument("--expression-scale", type=float, default=1.0, metavar="S",
                   help="expected rows and reference frames with SadTalker's --expression_scale S")
    p.add_argument("--threads", type=int, metavar="N", help="torch CPU threads")
    args = p.parse_args(argv)
    if args.clips < 1 or args.frames < 1:
        p.error("--clips and --frames must be at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        st = common.import_sadtalker(args.sadtalker)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    common.quiet_sadtalker(st)

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    config_path = common.default_config(st.root, args.preprocess)
    config = common.load_config(config_path)
    if args.reduced:
        config = reduced_config(config, args.size)
        config_path = out / common.YAML_FILE[args.preprocess].replace(".yaml", "_reduced.yaml")
        with open(config_path, "w") as f:
            f.write(f"# Reduced copy of SadTalker's {common.YAML_FILE[args.preprocess]} for"
                    f" tests ({args.size} px), written by tools/sadtalker/fixtures.py.\n")
            yaml.safe_dump(config, f, sort_keys=False)

    torch.manual_seed(args.seed)
    nets = common.build_networks(st, config, with_he_estimator=args.with_he_estimator)
    randomize(nets, args.seed, args.decoder_scale)
    for net in nets.values():
        net.eval()
    paths = write_checkpoints(nets, out / "checkpoints", args.size, args.preprocess, args.seed)

    clips = [write_clip(out, f"clip-{i:04d}", i, args, st, nets) for i in range(args.clips)]
    with open(out / "manifest.csv", "w") as f:
        f.write("clip_id,coeffs,crop,first_coeff\n")
        for c in clips:
            f.write(f"{c['clip_id']},{c['coeffs']},{c['crop']},{c['first_coeff']}\n")

    gen = config["model_params"]["generator_params"]
    native = args.size * 4 // 2 ** gen["num_down_blocks"]  # SPADEDecoder upsamples twice
    coeffs = common.coeff_count(args.preprocess)
    flags = ["--window-radius", str(common.WINDOW_RADIUS)]
    if coeffs != common.AUDIO_COEFFS:
        flags += ["--coeff-count", str(coeffs)]
    def export_commands(fixtures: str, sadtalker: str) -> list[str]:
        config = f" --config {fixtures}/{config_path.name}" if args.reduced else ""
        return [f"/usr/bin/python3 tools/sadtalker/export.py --sadtalker {sadtalker}"
                f" --size {args.size} --preprocess {args.preprocess}{config}"
                f" --checkpoint {fixtures}/{paths[k].relative_to(out).as_posix()}"
                f" --mapping {fixtures}/{paths['mapping'].relative_to(out).as_posix()}"
                f" --out {fixtures}/model_{k}.pt" for k in ("safetensors", "pth_tar")]

    expected = {
        "seed": args.seed,
        "preprocess": args.preprocess,
        "still": args.still,
        "expression_scale": args.expression_scale,
        "size": args.size,
        "reduced": args.reduced,
        "coeff_count": coeffs,
        "window_radius": common.WINDOW_RADIUS,
        "facerender_flags": flags,
        # Paths in this file are relative to the fixture folder ($FIXTURES in the commands) or
        # to the SadTalker checkout ($SADTALKER), so same-seed fixtures are the same bytes.
        "config": (config_path.relative_to(out).as_posix() if args.reduced
                   else f"$SADTALKER/src/config/{config_path.name}"),
        "native_output_size": native,
        "decoder_scale": args.decoder_scale,
        "checkpoints": {k: v.relative_to(out).as_posix() for k, v in paths.items()},
        "reference_frames": args.reference,
        "reference_note": ("make_animation's frames, resized to size x size with bilinear"
                           " (align_corners=False) as the exported wrapper does when the network"
                           " renders smaller, then round(x*255)") if args.reference else None,
        "manifest": "manifest.csv",
        "export_commands": export_commands("$FIXTURES", "$SADTALKER"),
        "torch_version": torch.__version__,
        "clips": clips,
    }
    with open(out / "expected.json", "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")

    took = time.monotonic() - started
    print(f"wrote {args.clips} clip(s) x {args.frames} frames, {args.preprocess}, {args.size} px"
          f"{', reduced' if args.reduced else ''}, seed {args.seed} under {out} ({took:.1f} s)")
    for k, v in paths.items():
        print(f"  {k}: {v} ({v.stat().st_size / 1e6:.1f} MB)")
    print(f"  expected.json, manifest.csv{', reference frames' if args.reference else ''}")
    print(f"export.py --config: {config_path}")
    print("export with either checkpoint format:")
    for cmd in export_commands(str(out), str(args.sadtalker)):
        print(f"  {cmd}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
