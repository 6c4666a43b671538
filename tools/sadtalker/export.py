#!/usr/bin/env python3
"""Export SadTalker's face renderer as one TorchScript file for Facerender's --model, and check it.

  /usr/bin/python3 tools/sadtalker/export.py --sadtalker ~/SadTalker \
      --checkpoint ~/SadTalker/checkpoints/SadTalker_V0.0.2_256.safetensors --out sadtalker256.pt

The networks (OcclusionAwareSPADEGenerator, KPDetector, MappingNet) are imported from the given
SadTalker checkout and built from its yaml; weights come from SadTalker_V0.0.2_<size>.safetensors
or the older facevid2vid_00189-model.pth.tar, plus the mapping .pth.tar of the preprocess mode.

What is saved (Facerender's model contract, see docs/sadtalker-export.md):
  encode_source(source [1,3,H,W] in [0,1]) -> [1, L]: the source's keypoints and 3-D features,
      computed once per clip (SadTalker recomputes them for every frame).
  forward(source [N,L], coeffs [N,C,27], source_coeffs [N,C]) -> frames [N,3,H,W] float32 [0,1].
The SadTalker networks inside are traced (their Python branches depend only on shapes); the thin
wrapper is scripted so its checks and resizes stay branches.

Then the saved file alone is loaded and checked: (a) its frames against SadTalker's own
make_animation, (b) 8-bit identical frames at batch sizes 1, 3 and 8, (c) Facerender's preflight
tiny batch. Results go to OUT.json; a failed check exits 1, bad inputs exit 2.
"""

# No `from __future__ import annotations`: TorchScript needs the Final annotations as objects.
import argparse
import hashlib
import json
import math
import platform
import sys
import time
import warnings
from pathlib import Path
from typing import List, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sadtalker_common as common  # noqa: E402
from sadtalker_common import UserError  # noqa: E402

PSNR_MIN_DB = 50.0   # frames vs make_animation: worst frame at least this
MAX_8BIT_DIFF = 1    # and no 8-bit value off by more than this
BATCH_SIZES = (1, 3, 8)
PREFLIGHT_SIZE = 64  # Facerender's driver preflight: [1,3,64,64] of 0.5, batch of 2


# --------------------------------------------------------------------------------------------
# The modules that get traced (SadTalker's networks, split at the source/frame boundary) and the
# scripted wrapper (Facerender's contract).
# --------------------------------------------------------------------------------------------

class SourceEncoder(nn.Module):
    """Work that depends only on the source image: the canonical keypoints and the encoder half
    of OcclusionAwareSPADEGenerator.forward (first, down_blocks, second, view, resblocks_3d)."""

    def __init__(self, generator: nn.Module, kp_detector: nn.Module):
        super().__init__()
        self.g, self.kp_detector = generator, kp_detector

    def forward(self, img: Tensor) -> Tuple[Tensor, Tensor]:
        g = self.g
        out = g.first(img)
        for block in g.down_blocks:
            out = block(out)
        out = g.second(out)
        bs, _, h, w = out.shape
        feature_3d = g.resblocks_3d(out.view(bs, g.reshape_channel, g.reshape_depth, h, w))
        return feature_3d, self.kp_detector(img)["value"]


class FrameRenderer(nn.Module):
    """Per frame: MappingNet on the source and driving windows, keypoint_transformation (both as
    make_animation does), then the rest of OcclusionAwareSPADEGenerator.forward."""

    def __init__(self, generator: nn.Module, mapping: nn.Module, keypoint_transformation):
        super().__init__()
        self.g, self.mapping = generator, mapping
        self.keypoint_transformation = keypoint_transformation  # SadTalker's function, traced

    def forward(self, feature_3d: Tensor, kp_canonical: Tensor, drive: Tensor,
                src: Tensor) -> Tensor:
        canonical = {"value": kp_canonical}
        kp_source = self.keypoint_transformation(canonical, self.mapping(src))
        kp_driving = self.keypoint_transformation(canonical, self.mapping(drive))
        g = self.g
        motion = g.dense_motion_network(feature=feature_3d, kp_driving=kp_driving,
                                        kp_source=kp_source)
        out = g.deform_input(feature_3d, motion["deformation"])
        bs, c, d, h, w = out.shape
        out = g.fourth(g.third(out.view(bs, c * d, h, w)))
        if "occlusion_map" in motion:
            occlusion = motion["occlusion_map"]
            if out.shape[2] != occlusion.shape[2] or out.shape[3] != occlusion.shape[3]:
                occlusion = F.interpolate(occlusion, size=out.shape[2:], mode="bilinear")
            out = out * occlusion
        return g.decoder(out)  # ends in a sigmoid: already in [0, 1]


class SadTalkerFacerender(nn.Module):
    """Facerender's contract around the traced encoder and renderer (scripted).

    Sizes are module attributes typed Final, not module globals: TorchScript cannot read a
    Python global int inside a scripted method ("python value of type 'int' cannot be used as a
    value"), and Final attributes become constants in the compiled graph.
    """

    size: torch.jit.Final[int]
    window: torch.jit.Final[int]
    coeff_count: torch.jit.Final[int]
    num_kp: torch.jit.Final[int]
    feat_c: torch.jit.Final[int]
    feat_d: torch.jit.Final[int]
    feat_h: torch.jit.Final[int]
    feat_w: torch.jit.Final[int]
    encoded_len: torch.jit.Final[int]
    coeff_flag: torch.jit.Final[str]

    def __init__(self, encoder, renderer, size: int, coeff_count: int, num_kp: int,
                 feature_shape: Tuple[int, int, int, int]):
        super().__init__()
        self.encoder, self.renderer = encoder, renderer
        self.size = int(size)
        self.window = int(common.WINDOW)
        self.coeff_count = int(coeff_count)
        self.num_kp = int(num_kp)
        self.feat_c, self.feat_d, self.feat_h, self.feat_w = (int(v) for v in feature_shape)
        self.encoded_len = 2 + 3 * self.num_kp + math.prod(feature_shape)
        self.coeff_flag = (" and the default --coeff-count 70" if coeff_count == common.AUDIO_COEFFS
                           else f" --coeff-count {coeff_count}")

    @torch.jit.export
    def encode_source(self, source: Tensor) -> Tensor:
        """[1,3,H,W] in [0,1] -> [1, 2 + 3*num_kp + feature volume]: H and W (the frames' size),
        the canonical keypoints and the 3-D source features, flattened."""
        if source.dim() != 4 or source.size(0) != 1 or source.size(1) != 3:
            raise RuntimeError("encode_source takes one RGB image [1,3,H,W] in [0,1]")
        h, w = source.size(2), source.size(3)
        img = source.float()
        if h != self.size or w != self.size:  # fallback: SadTalker resizes its crops itself
            img = F.interpolate(img, size=[self.size, self.size], mode="bilinear",
                                align_corners=False)
        feature_3d, kp = self.encoder(img.contiguous())
        hw = torch.tensor([[float(h), float(w)]], dtype=torch.float32, device=source.device)
        return torch.cat([hw, kp.reshape(1, -1), feature_3d.reshape(1, -1)], 1)

    def forward(self, source: Tensor, coeffs: Tensor, source_coeffs: Tensor) -> Tensor:
        """source: encode_source's output expanded to [N, L]; coeffs: [N, C, 27] windows;
        source_coeffs: [N, C]. Returns [N, 3, H, W] float32 in [0, 1]."""
        if coeffs.dim() != 3 or coeffs.size(2) != self.window:
            raise RuntimeError("SadTalker's renderer needs 27-frame coefficient windows [N,C,27]:"
                               " run Facerender with --window-radius 13")
        n = coeffs.size(0)
        if coeffs.size(1) != self.coeff_count:
            raise RuntimeError("this SadTalker export takes " + str(self.coeff_count)
                               + " coefficients per frame: run Facerender with --window-radius 13"
                               + self.coeff_flag)
        if source_coeffs.dim() != 2 or source_coeffs.size(1) != self.coeff_count or (
                source_coeffs.size(0) != n):
            raise RuntimeError("source_coeffs must be [N, " + str(self.coeff_count)
                               + "]: the clip's source coefficients, one row per frame")
        if source.dim() != 2 or source.size(1) != self.encoded_len:
            raise RuntimeError("source must be this model's encode_source output [N, "
                               + str(self.encoded_len) + "]")
        if source.size(0) != n and source.size(0) != 1:
            raise RuntimeError("source has " + str(source.size(0)) + " rows for " + str(n)
                               + " frames: pass encode_source's output expanded to N")
        enc = source if source.size(0) == n else source.expand(n, self.encoded_len)
        # Output size = the source image's size, stored by encode_source; one size per batch.
        hw = enc[:, 0:2]
        if bool((hw != hw[0:1]).any()):
            raise RuntimeError("sources of different sizes in one batch")
        h, w = int(hw[0, 0].item()), int(hw[0, 1].item())
        # Views of the (expanded) encoding: no copy of the features per frame. Read-only: the
        # renderer never writes into its inputs.
        kp = enc[:, 2:2 + 3 * self.num_kp].reshape(n, self.num_kp, 3)
        feature_3d = enc[:, 2 + 3 * self.num_kp:].reshape(
            n, self.feat_c, self.feat_d, self.feat_h, self.feat_w)
        drive = coeffs.float().contiguous()
        # SadTalker's transform_semantic_1: the source's coefficients repeated over the window.
        src = source_coeffs.float().unsqueeze(2).expand(n, self.coeff_count, self.window)
        src = src.contiguous()
        kp = kp.contiguous()
        if enc.is_cuda:
            frames = self.renderer(feature_3d, kp, drive, src)
        else:
            # On the CPU one frame at a time: batched CPU convolutions and GEMMs pick other
            # kernels by batch size (here torch 1.13 rounds a batch of 1 differently from 2+;
            # docs/performance.md found Facerender's libtorch oneDNN wrong at batch >= 2), so a
            # frame would depend on its batch. Per frame it renders to the same bytes in any
            # batch, as Facerender's builtin reference network does; batching gains little on CPU.
            parts: List[Tensor] = []
            for i in range(n):
                parts.append(self.renderer(feature_3d[i:i + 1], kp[i:i + 1], drive[i:i + 1],
                                           src[i:i + 1]))
            frames = torch.cat(parts, 0)
        if frames.size(2) != h or frames.size(3) != w:
            frames = F.interpolate(frames, size=[h, w], mode="bilinear", align_corners=False)
        return frames.clamp(0.0, 1.0)


# --------------------------------------------------------------------------------------------
# Loading SadTalker's checkpoints
# --------------------------------------------------------------------------------------------

def size_in_name(path: Path) -> int | None:
    for size in (256, 512):
        if f"_{size}." in path.name or f"_{size}-" in path.name:
            return size
    return None


def read_renderer_checkpoint(path: Path) -> tuple[dict, str, str]:
    """{'generator': state_dict, 'kp_detector': state_dict}, the format, and the reader."""
    if common.is_safetensors(path):
        tensors, reader = common.read_safetensors(path, tuple(common.SAFETENSORS_PREFIX.values()))
        states = {net: {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
                  for net, prefix in common.SAFETENSORS_PREFIX.items()}
        for net, prefix in common.SAFETENSORS_PREFIX.items():
            if not states[net]:
                raise UserError(f"{path}: no '{prefix}*' tensors: not a SadTalker_V0.0.2_<size>"
                                " .safetensors face-render checkpoint")
        return states, "safetensors", reader
    checkpoint = common.torch_load(path)
    keys = list(checkpoint) if isinstance(checkpoint, dict) else []
    missing = [k for k in common.PTH_KEY.values() if k not in keys]
    if missing:
        hint = (" - this looks like a mapping checkpoint: pass it as --mapping"
                if "mapping" in keys else "")
        raise UserError(f"{path}: no {' / '.join(missing)} in the checkpoint (keys: {keys[:8]}):"
                        f" not facevid2vid_00189-model.pth.tar{hint}")
    return {net: checkpoint[key] for net, key in common.PTH_KEY.items()}, "pth.tar", "torch.load"


def read_mapping_checkpoint(path: Path) -> dict:
    if common.is_safetensors(path):
        raise UserError(f"--mapping {path} is a safetensors file; SadTalker keeps MappingNet in"
                        " mapping_00229-model.pth.tar (crop) / mapping_00109-model.pth.tar (full)")
    checkpoint = common.torch_load(path)
    if not isinstance(checkpoint, dict) or "mapping" not in checkpoint:
        keys = list(checkpoint)[:8] if isinstance(checkpoint, dict) else type(checkpoint).__name__
        raise UserError(f"--mapping {path} has no 'mapping' entry ({keys}): pass SadTalker's"
                        " mapping_00229-model.pth.tar (crop) or mapping_00109-model.pth.tar (full)")
    return checkpoint["mapping"]


def load_weights(net: nn.Module, state: dict, name: str, file: Path, config: Path,
                 preprocess: str) -> None:
    """Strict load with a message that names the file, the network and a likely cause."""
    own = net.state_dict()
    shapes = [f"{k}: file {list(v.shape)} vs network {list(own[k].shape)}"
              for k, v in state.items() if k in own and tuple(v.shape) != tuple(own[k].shape)]
    if not shapes:
        # torch itself decides what counts as missing (it tolerates num_batches_tracked and
        # spectral-norm metadata absent from safetensors files, as SadTalker's loading does).
        result = net.load_state_dict(state, strict=False)
        missing, unexpected = result.missing_keys, result.unexpected_keys
    else:
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
    if not (shapes or missing or unexpected):
        net.load_state_dict(state, strict=True)  # same result; documents the intent
        return

    if name == "mapping":
        first = state.get("first.0.weight")
        coeffs_in_file = int(first.shape[1]) if first is not None and first.dim() == 3 else None
        expected = common.coeff_count(preprocess)
        if coeffs_in_file is not None and coeffs_in_file != expected:
            cause = (f"the mapping file takes {coeffs_in_file} coefficients, --preprocess"
                     f" {preprocess} with this yaml needs {expected}:"
                     f" {common.MAPPING_FILE['crop']} is crop mode's (70),"
                     f" {common.MAPPING_FILE['full']} full mode's (73); check --preprocess,"
                     " --mapping and --config")
        else:
            cause = ("a --config yaml whose mapping_params (descriptor_nc, layer, num_kp) differ"
                     " from the file's, e.g. a reduced test yaml with real checkpoints or the"
                     " reverse, or a mapping file from another SadTalker version")
    else:
        cause = ("a --config yaml that does not match the checkpoint (a reduced test yaml with"
                 " real checkpoints or the reverse, or another SadTalker version's networks);"
                 " --size does not change the networks (the 256 and 512 checkpoints share"
                 " facerender.yaml), so a size mix-up loads but renders wrong")
    parts = []
    if missing:
        parts.append(f"{len(missing)} missing (e.g. {', '.join(missing[:3])})")
    if unexpected:
        parts.append(f"{len(unexpected)} unexpected (e.g. {', '.join(unexpected[:3])})")
    if shapes:
        parts.append(f"{len(shapes)} of another shape (e.g. {'; '.join(shapes[:2])})")
    raise UserError(f"{file}: the {name} weights do not fit the {name} network built from {config}:"
                    f" {', '.join(parts)}. Likely cause: {cause}")


def check_names(args) -> list[str]:
    """Catch a checkpoint / mode / size mix-up from the file names SadTalker uses, before the
    (slow) load. Returns warnings; raises for a sure mistake."""
    notes = []
    size = size_in_name(args.checkpoint)
    if size is not None and size != args.size:
        raise UserError(f"--checkpoint {args.checkpoint.name} is SadTalker's {size} px renderer but"
                        f" --size is {args.size}: pass --size {size} (the networks are the same, so"
                        " the mix-up would load and render at the wrong resolution)")
    if args.checkpoint.name.startswith("facevid2vid") and args.size != 256:
        notes.append(f"{args.checkpoint.name} is SadTalker's 256 px renderer; --size {args.size}"
                     " renders it at another resolution than it was trained for")
    for mode, name in common.MAPPING_FILE.items():
        if args.mapping.name == name and mode != args.preprocess:
            raise UserError(f"--mapping {name} is SadTalker's {mode}-mode mapping but --preprocess"
                            f" is {args.preprocess}: pass --mapping"
                            f" {common.MAPPING_FILE[args.preprocess]} or --preprocess {mode}")
    return notes


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------

def build_and_load(st, args) -> tuple[dict, dict]:
    config = common.load_config(args.config)
    problems = common.config_problems(config)
    if problems:
        raise UserError(f"{args.config}: " + "; ".join(problems))
    coeff_nc = config["model_params"]["mapping_params"]["coeff_nc"]
    if coeff_nc != common.coeff_count(args.preprocess):
        raise UserError(f"{args.config} has mapping coeff_nc {coeff_nc} but --preprocess"
                        f" {args.preprocess} needs {common.coeff_count(args.preprocess)}:"
                        f" SadTalker uses {common.YAML_FILE['crop']} for crop and"
                        f" {common.YAML_FILE['full']} for full")
    nets = common.build_networks(st, config)
    states, fmt, reader = read_renderer_checkpoint(args.checkpoint)
    for name in ("generator", "kp_detector"):
        load_weights(nets[name], states[name], name, args.checkpoint, args.config, args.preprocess)
    load_weights(nets["mapping"], read_mapping_checkpoint(args.mapping), "mapping", args.mapping,
                 args.config, args.preprocess)
    for net in nets.values():
        # eval() before tracing: SynchronizedBatchNorm in train mode would mix samples, and
        # spectral norm would run power iterations. float32: the preflight requires it.
        net.eval().float().to(args.device)
        for p in net.parameters():
            p.requires_grad_(False)
    info = {"format": fmt, "reader": reader, "config": str(args.config)}
    return nets, info


def export(st, nets: dict, data: dict, args) -> dict:
    """Traces the encoder and the per-frame renderer, scripts the wrapper, saves it."""
    dev = args.device
    tracer_warnings = []
    with torch.no_grad(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        image = data["image"].to(dev)
        # The encoder is only ever called on one image at the model's size (the wrapper resizes).
        encoder = torch.jit.trace(SourceEncoder(nets["generator"], nets["kp_detector"]).eval(),
                                  image, check_trace=False)
        feature_3d, kp = encoder(image)
        # Shapes come from the traced output, not from the yaml or a 256 px assumption.
        feature_shape = tuple(int(v) for v in feature_3d.shape[1:])
        num_kp = int(kp.shape[1])
        # On CUDA the wrapper renders whole batches: trace at batch 2 so the batch size stays
        # symbolic (a batch of 1 can be frozen into views). On the CPU it renders frame by frame
        # (see SadTalkerFacerender.forward), so a batch of 1 is all it runs, and tracing at 1
        # saves a frame's work (~14 s at full size). The checks run it at 1, 3 and 8.
        b = 2 if dev == "cuda" else 1
        windows = data["windows"].to(dev)
        drive = windows[:b] if windows.shape[0] >= b else windows[:1].expand(b, -1, -1)
        src = data["source_coeffs"].to(dev)[None, :, None].expand(b, -1, common.WINDOW)
        batch = lambda t: t.expand(b, *t.shape[1:]).contiguous()  # noqa: E731
        renderer = torch.jit.trace(
            FrameRenderer(nets["generator"], nets["mapping"], st.keypoint_transformation).eval(),
            (batch(feature_3d), batch(kp), drive.contiguous(), src.contiguous()), check_trace=False)
        tracer_warnings = sorted({str(w.message).split("\n")[0] for w in caught
                                  if issubclass(w.category, torch.jit.TracerWarning)})
    model = torch.jit.script(SadTalkerFacerender(encoder, renderer, args.size,
                                                 common.coeff_count(args.preprocess), num_kp,
                                                 feature_shape))
    encoded_len = model.encoded_len
    # Frozen: weights become constants and batch norms fold into their convolutions. Facerender's
    # libtorch runs the stock network 7% faster so (6.7 s against 7.2 s a frame, 2 CPU threads);
    # the checks below run the frozen file.
    model = torch.jit.freeze(model.eval(), preserved_attrs=["encode_source"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.jit.save(model, str(args.out))
    return {
        "feature_3d_shape": list(feature_shape),
        "num_kp": num_kp,
        "encoded_source_length": encoded_len,
        "traced_batch": b,
        "tracer_warnings": tracer_warnings,
    }


# --------------------------------------------------------------------------------------------
# Check data: the user's, or deterministic synthetic data
# --------------------------------------------------------------------------------------------

def check_data(args) -> dict:
    """Source image [1,3,S,S], per-frame rows [F,C] and source coefficients [C] as SadTalker's
    get_facerender_data would feed them, and both kinds of window."""
    import scipy.io

    if args.check_image:
        from PIL import Image
        img = Image.open(args.check_image).convert("RGB")
        if img.size != (args.size, args.size):  # SadTalker resizes its crop to --size itself
            img = img.resize((args.size, args.size), Image.BICUBIC)
        rgb = np.asarray(img)
        first = scipy.io.loadmat(args.check_first_coeff)["coeff_3dmm"]
        audio = scipy.io.loadmat(args.check_coeffs)["coeff_3dmm"]
        kind = "user"
    else:
        rgb = common.synthetic_face(args.size, seed=0)
        first = common.synthetic_first_coeff(seed=1)
        audio = common.synthetic_audio_coeffs(args.check_frames, seed=2)
        kind = "synthetic"
    rows, source = common.renderer_rows(first, audio, args.preprocess)
    frames = min(args.check_frames, rows.shape[0])
    # Windows over the whole clip (clamping at its ends matters), then the first frames checked.
    sad_windows = common.sadtalker_windows(rows)[:frames]
    fr_windows = common.facerender_windows(torch.from_numpy(rows))[:frames]
    if not torch.equal(fr_windows, torch.from_numpy(sad_windows)):
        raise AssertionError("Facerender's windows differ from transform_semantic_target's")
    return {
        "kind": kind,
        "frames": frames,
        "image": common.image_tensor(rgb),
        "windows": fr_windows,
        "sadtalker_windows": torch.from_numpy(sad_windows),
        "source_coeffs": torch.from_numpy(source),
        "sadtalker_source_window": torch.from_numpy(common.sadtalker_source_window(source)),
    }


def reference_frames(st, nets: dict, data: dict, device: str) -> Tensor:
    """SadTalker's own make_animation on the same inputs: [F, 3, h, w] on the CPU."""
    with torch.no_grad():
        out = st.make_animation(
            data["image"].to(device),
            data["sadtalker_source_window"][None].to(device),       # [1, C, 27]
            data["sadtalker_windows"][None].to(device),             # [1, F, C, 27]
            nets["generator"], nets["kp_detector"], None, nets["mapping"])
    return out[0].float().cpu()


# --------------------------------------------------------------------------------------------
# Checks on the saved file alone
# --------------------------------------------------------------------------------------------

def run_model(model, enc: Tensor, windows: Tensor, source_coeffs: Tensor, batch: int) -> Tensor:
    """Frames in chunks of `batch`, inputs shaped as Facerender passes them (expanded views)."""
    out = []
    with torch.no_grad():
        for i in range(0, windows.shape[0], batch):
            w = windows[i:i + batch]
            n = w.shape[0]
            out.append(model(enc.expand(n, enc.shape[1]), w,
                             source_coeffs[None].expand(n, source_coeffs.shape[0])).cpu())
    return torch.cat(out)


def psnr(a: Tensor, b: Tensor) -> float:
    mse = float(((a.double() - b.double()) ** 2).mean())
    return math.inf if mse == 0 else 10 * math.log10(1.0 / mse)


def check_make_animation(runs: dict, reference: Tensor) -> dict:
    ref8 = common.to_uint8(reference).int()
    worst_db, worst_frame, max8, max_float = math.inf, 0, 0, 0.0
    per_frame = []
    for batch, frames in runs.items():
        for i in range(frames.shape[0]):
            db = psnr(frames[i], reference[i])
            if batch == min(runs):
                per_frame.append(None if math.isinf(db) else round(db, 2))
            if db < worst_db:
                worst_db, worst_frame = db, i
        max8 = max(max8, int((common.to_uint8(frames).int() - ref8).abs().max()))
        max_float = max(max_float, float((frames - reference).abs().max()))
    passed = worst_db >= PSNR_MIN_DB and max8 <= MAX_8BIT_DIFF
    result = {
        "passed": passed,
        "psnr_worst_frame_db": None if math.isinf(worst_db) else round(worst_db, 2),
        "frames_identical": math.isinf(worst_db),
        "worst_frame": worst_frame,
        "psnr_per_frame_db": per_frame,
        "max_abs_diff_8bit": max8,
        "max_abs_diff_float": max_float,
        "thresholds": {"psnr_min_db": PSNR_MIN_DB, "max_abs_diff_8bit": MAX_8BIT_DIFF},
    }
    if not passed:
        result["meaning"] = (
            "the exported frames differ from SadTalker's make_animation: the encoder/renderer"
            " split in export.py does not match this SadTalker version's"
            " OcclusionAwareSPADEGenerator.forward or make_animation (compare generator.py and"
            " make_animation.py), or a network was traced in train mode (.eval() missing). On"
            " CUDA, rerun with --device cpu to tell kernel nondeterminism from a real mismatch.")
    return result


def check_batches(runs: dict) -> dict:
    base_batch = min(runs)
    base8 = common.to_uint8(runs[base_batch])
    sizes, passed = {}, True
    for batch, frames in runs.items():
        differing = int((common.to_uint8(frames) != base8).sum())
        sizes[str(batch)] = {"differing_8bit_values": differing,
                             "max_abs_diff_float": float((frames - runs[base_batch]).abs().max())}
        passed = passed and differing == 0
    result = {"passed": passed, "compared_to_batch": base_batch, "sizes": sizes}
    if not passed:
        worst = max(v["max_abs_diff_float"] for v in sizes.values())
        if worst < 1e-4:
            why = (f"floats differ by at most {worst:.1e}: kernels that round differently per"
                   " batch size (e.g. cuDNN picking another algorithm), not mixed samples; a few"
                   " 8-bit values flip by one")
        else:
            why = ("an op mixes samples (batch norm in train mode: .eval() missing before"
                   " tracing) or a batch-dependent shape was frozen by the trace")
        result["meaning"] = (
            "a frame's pixels depend on the batch it is rendered in: " + why + ". Facerender"
            " batches frames freely (batch sizing, OOM splits), so its output would too")
    return result


def check_preflight(model, coeff_count: int, device: str) -> dict:
    """What Facerender's driver runs before any task: a [1,3,64,64] image of 0.5 expanded to 2,
    zero windows [2,C,27] and zero source coefficients [2,C]."""
    result = {"passed": False}
    try:
        with torch.no_grad():
            enc = model.encode_source(torch.full((1, 3, PREFLIGHT_SIZE, PREFLIGHT_SIZE), 0.5,
                                                 device=device))
            if enc.dim() != 2 or enc.shape[0] != 1:
                result["error"] = f"encode_source returned {list(enc.shape)}, needs dim 0 = 1"
                return result
            out = model(enc.expand(2, enc.shape[1]),
                        torch.zeros(2, coeff_count, common.WINDOW, device=device),
                        torch.zeros(2, coeff_count, device=device))
    except Exception as e:  # noqa: BLE001 - reported, not raised
        result["error"] = f"{type(e).__name__}: {str(e).strip().splitlines()[-1][:500]}"
    else:
        result.update({
            "shape": list(out.shape), "dtype": str(out.dtype).replace("torch.", ""),
            "min": float(out.min()), "max": float(out.max()), "nan": bool(out.isnan().any()),
        })
        problems = []
        if list(out.shape) != [2, 3, PREFLIGHT_SIZE, PREFLIGHT_SIZE]:
            problems.append(f"shape {list(out.shape)}, expected [2, 3, 64, 64]")
        if out.dtype != torch.float32:
            problems.append(f"dtype {out.dtype}, expected float32 (a float64 buffer or input)")
        if result["nan"]:
            problems.append("NaN in the frames")
        elif result["min"] < 0 or result["max"] > 1:
            problems.append("values outside [0, 1]")
        result["passed"] = not problems
        if problems:
            result["error"] = "; ".join(problems)
        # Without --window-radius 13 Facerender passes [N,C] rows: the model must say so.
        try:
            with torch.no_grad():
                model(enc.expand(2, enc.shape[1]), torch.zeros(2, coeff_count, device=device),
                      torch.zeros(2, coeff_count, device=device))
            result["radius_0_names_flag"] = False
        except Exception as e:  # noqa: BLE001
            result["radius_0_names_flag"] = "--window-radius 13" in str(e)
    if not result["passed"]:
        result["meaning"] = (
            "Facerender's preflight would stop the run: a shape frozen by the trace (e.g. a fixed"
            " 256 px size the wrapper did not resize to), a traced device constant (a file"
            " exported on one device kind run on another), or output outside float32 [0, 1]")
    return result


def run_checks(model_path: Path, reference: Tensor, data: dict, args) -> dict:
    dev = args.device
    model = torch.jit.load(str(model_path), map_location=dev).eval()
    with torch.no_grad():
        enc = model.encode_source(data["image"].to(dev))
    windows = data["windows"].to(dev)
    source_coeffs = data["source_coeffs"].to(dev)
    frames = windows.shape[0]
    sizes = sorted({min(b, frames) for b in BATCH_SIZES})
    runs, errors = {}, {}
    for b in sizes:
        try:
            runs[b] = run_model(model, enc, windows, source_coeffs, b)
        except Exception as e:  # noqa: BLE001
            errors[b] = f"{type(e).__name__}: {str(e).strip().splitlines()[-1][:500]}"
    h, w = data["image"].shape[2:]
    # A reduced test network may render below its input size; the wrapper resizes its frames
    # to the source's, so compare the reference after the same resize. (Bilinear weights are
    # convex: the resized frames differ by at most as much as the native ones, and the
    # upsampling keeps every native pixel's difference visible.)
    reference = common.resize_frames(reference, h, w)
    checks = {"data": data["kind"], "frames": frames}
    if runs:
        checks["make_animation"] = check_make_animation(runs, reference)
        checks["batch_identity"] = check_batches(runs)
    if errors:
        checks["batch_identity"] = {
            "passed": False, "errors": {str(k): v for k, v in errors.items()},
            "meaning": "the model fails at some batch sizes: a shape frozen at the traced batch"
                       " size (e.g. a view with a constant batch dimension)"}
        checks.setdefault("make_animation", {"passed": False, "error": "no batch size ran"})
    checks["preflight"] = check_preflight(model, common.coeff_count(args.preprocess), dev)
    return checks


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------

def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Export SadTalker's face renderer (generator, keypoint detector, mapping net)"
                    " as a TorchScript model for Facerender's --model, then check the saved file"
                    " against SadTalker's make_animation, across batch sizes and with"
                    " Facerender's preflight batch.",
        epilog="Exit status: 0 exported and all checks passed; 1 a check failed (see OUT.json);"
               " 2 bad arguments, files or weights.")
    p.add_argument("--sadtalker", required=True, type=Path,
                   help="SadTalker checkout (the folder holding src/); its networks are imported")
    p.add_argument("--checkpoint", required=True, type=Path,
                   help="SadTalker_V0.0.2_<size>.safetensors or facevid2vid_00189-model.pth.tar")
    p.add_argument("--mapping", type=Path,
                   help="MappingNet checkpoint (default: mapping_00229-model.pth.tar for crop,"
                        " mapping_00109-model.pth.tar for full, next to --checkpoint, as"
                        " SadTalker's init_path.py picks)")
    p.add_argument("--out", required=True, type=Path, help="TorchScript file to write;"
                   " the checks' figures go to OUT.json")
    p.add_argument("--size", type=int, choices=(256, 512), default=256,
                   help="the renderer's input and output size: 256 or 512, as the checkpoint's"
                        " name says (default 256)")
    p.add_argument("--preprocess", choices=("crop", "full"), default="crop",
                   help="SadTalker's --preprocess: crop (also for resize/extcrop; 70 coefficients)"
                        " or full (also extfull; 73 coefficients, Facerender needs"
                        " --coeff-count 73). Default crop")
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                   help="device to trace and check on; the file then runs on that device kind"
                        " only (SadTalker's helpers create tensors on the traced device)")
    p.add_argument("--config", type=Path,
                   help="face-render yaml (default: the checkout's src/config/facerender.yaml for"
                        " crop, facerender_still.yaml for full); tests pass a reduced one")
    p.add_argument("--check-frames", type=int, default=8, metavar="N",
                   help="frames rendered for the checks (default 8)")
    p.add_argument("--check-image", type=Path, metavar="PNG",
                   help="check on this face crop instead of a synthetic face")
    p.add_argument("--check-coeffs", type=Path, metavar="MAT",
                   help="audio2coeff's .mat for --check-image")
    p.add_argument("--check-first-coeff", type=Path, metavar="MAT",
                   help="preprocess's first_coeff .mat for --check-image")
    p.add_argument("--threads", type=int, metavar="N", help="torch CPU threads (default: torch's)")
    p.add_argument("--verbose", action="store_true",
                   help="show tracer warnings and make_animation's progress bar")
    args = p.parse_args(argv)

    real = [args.check_image, args.check_coeffs, args.check_first_coeff]
    if any(real) and not all(real):
        p.error("--check-image, --check-coeffs and --check-first-coeff go together")
    if args.check_frames < 1:
        p.error("--check-frames must be at least 1")
    if args.mapping is None:
        args.mapping = args.checkpoint.parent / common.MAPPING_FILE[args.preprocess]
    if args.config is None:
        args.config = common.default_config(args.sadtalker, args.preprocess)
    for flag, path in (("--checkpoint", args.checkpoint), ("--mapping", args.mapping),
                       ("--config", args.config), *[(f, x) for f, x in zip(
                           ("--check-image", "--check-coeffs", "--check-first-coeff"), real) if x]):
        if not path.is_file():
            extra = (" (the default: SadTalker's init_path.py expects it next to the checkpoint;"
                     " pass --mapping)") if flag == "--mapping" else ""
            p.error(f"{flag} {path} does not exist{extra}")
    if args.device == "cuda" and not torch.cuda.is_available():
        p.error("--device cuda: this torch sees no CUDA device")
    return args


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def summary(report: dict) -> str:
    c = report.get("checks", {})
    ok = lambda d: "pass" if d.get("passed") else "FAIL"  # noqa: E731
    lines = [f"SadTalker face renderer -> {report['model']} ({report['preprocess']},"
             f" {report['size']} px, {report['coeff_count']} coefficients, {report['device']},"
             " float32)"]
    m = c.get("make_animation", {})
    if "psnr_worst_frame_db" in m:
        db = ("identical frames (PSNR inf)" if m["frames_identical"] else
              f"worst frame PSNR {m['psnr_worst_frame_db']:.2f} dB (frame {m['worst_frame']})")
        lines.append(f"  (a) vs make_animation, {c['frames']} {c['data']} frames: {db}, max 8-bit"
                     f" diff {m['max_abs_diff_8bit']}  [{ok(m)}]")
    b = c.get("batch_identity", {})
    if "sizes" in b:
        diffs = ", ".join(f"{k}: {v['differing_8bit_values']}" for k, v in b["sizes"].items())
        lines.append(f"  (b) batch sizes, differing 8-bit values vs batch"
                     f" {b['compared_to_batch']}: {diffs}  [{ok(b)}]")
    elif b:
        lines.append(f"  (b) batch sizes: {b.get('errors')}  [FAIL]")
    pf = c.get("preflight", {})
    if pf:
        got = (f"{pf['shape']} {pf['dtype']} in [{pf['min']:.3f}, {pf['max']:.3f}]"
               if "shape" in pf else pf.get("error"))
        lines.append(f"  (c) preflight [1,3,64,64] -> {got}  [{ok(pf)}]")
    for name in ("make_animation", "batch_identity", "preflight"):
        d = c.get(name, {})
        if not d.get("passed", True) or "meaning" in d:
            lines.append(f"  {name} failed: {d.get('meaning', d.get('error', ''))}")
    lines.append(f"  Facerender flags: {' '.join(report['facerender_flags'])}")
    lines.append(f"  {report['seconds']['total']:.1f} s; details in {report['report']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    seconds = {}
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    report_path = Path(str(args.out) + ".json")
    try:
        notes = check_names(args)
        for note in notes:
            print(f"warning: {note}", file=sys.stderr)
        st = common.import_sadtalker(args.sadtalker)
        if not args.verbose:
            common.quiet_sadtalker(st)
        t = time.monotonic()
        nets, checkpoint_info = build_and_load(st, args)
        seconds["load"] = time.monotonic() - t
        data = check_data(args)

        t = time.monotonic()
        export_info = export(st, nets, data, args)
        seconds["export"] = time.monotonic() - t
        if args.verbose:
            for w in export_info["tracer_warnings"]:
                print(f"tracer: {w}", file=sys.stderr)

        t = time.monotonic()
        reference = reference_frames(st, nets, data, args.device)
        seconds["reference"] = time.monotonic() - t
        export_info["native_output_size"] = list(reference.shape[2:])
        del nets  # the checks use the saved file alone

        t = time.monotonic()
        checks = run_checks(args.out, reference, data, args)
        seconds["checks"] = time.monotonic() - t
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    seconds["total"] = time.monotonic() - started

    coeffs = common.coeff_count(args.preprocess)
    flags = ["--window-radius", str(common.WINDOW_RADIUS)]
    if coeffs != common.AUDIO_COEFFS:
        flags += ["--coeff-count", str(coeffs)]
    passed = all(checks[k].get("passed") for k in ("make_animation", "batch_identity", "preflight"))
    report = {
        "passed": passed,
        "model": str(args.out),
        "report": str(report_path),
        "model_sha256": sha256(args.out),
        "facerender_flags": flags,
        "size": args.size,
        "preprocess": args.preprocess,
        "coeff_count": coeffs,
        "window": common.WINDOW,
        "device": args.device,
        "device_note": (f"traced on {args.device}: SadTalker's helpers (make_coordinate_grid,"
                        " headpose_pred_to_degree, the dense motion's zeros) created tensors on"
                        f" that device, so the file runs on {args.device} only"
                        + (" (and, as those constants name a device index, likely only on the"
                           " CUDA device it was traced on)" if args.device == "cuda" else "")),
        "dtype": "float32",
        "checkpoint": {"path": str(args.checkpoint), **checkpoint_info},
        "mapping": str(args.mapping),
        "sadtalker": str(Path(args.sadtalker).resolve()),
        # Expected: deform_input's shape test (shapes are fixed inside the wrapper).
        **export_info,
        "checks": checks,
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "torch_version": torch.__version__,
        "python_version": platform.python_version(),
        "threads": torch.get_num_threads(),
        "warnings": notes,
    }
    with open(report_path, "w") as f:
        json.dump(report, f, indent=2, allow_nan=False)
        f.write("\n")
    print(summary(report))
    if not passed:
        print(f"error: checks failed: do not ship {args.out}", file=sys.stderr)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
