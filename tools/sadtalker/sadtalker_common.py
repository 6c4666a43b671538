"""Helpers shared by export.py and fixtures.py.

Nothing here is SadTalker code: the networks are imported from the user's SadTalker checkout by
path (import_sadtalker). What is re-implemented is small and documented where it is:
  - the safetensors file format (the package is optional),
  - the arithmetic of SadTalker's src/generate_facerender_batch.py (which imports skimage), and
  - Facerender's own window building, kept separate from SadTalker's so the checks compare them.

Python 3.11, stdlib + torch/numpy/scipy/yaml/PIL only.
"""

from __future__ import annotations

import json
import math
import os
import struct
import sys
import types
import warnings
from pathlib import Path

import numpy as np
import torch
import yaml

# SadTalker's generate_facerender_batch.py hard-codes semantic_radius = 13: every frame is driven
# by a 27-frame window of coefficients, and MappingNet's convolutions are sized for it.
WINDOW_RADIUS = 13
WINDOW = 2 * WINDOW_RADIUS + 1

# Columns: 64 expression, 3 rotation, 3 translation (audio2coeff); full mode adds the source
# crop's 3 parameters (scale, tx, ty) that SadTalker's preprocess appends to first_coeff.
EXPRESSION_COEFFS = 64
AUDIO_COEFFS = 70
FULL_COEFFS = 73

# SPADEDecoder (generator.py) hard-codes 256 input channels; the generator's third block must
# produce exactly that many: block_expansion * 2**num_down_blocks == 256.
SPADE_DECODER_CHANNELS = 256

# Which mapping checkpoint and yaml SadTalker's src/utils/init_path.py picks per mode.
MAPPING_FILE = {"crop": "mapping_00229-model.pth.tar", "full": "mapping_00109-model.pth.tar"}
YAML_FILE = {"crop": "facerender.yaml", "full": "facerender_still.yaml"}
MAPPING_EPOCH = {"crop": 229, "full": 109}
FACEVID2VID_FILE = "facevid2vid_00189-model.pth.tar"

# Key prefixes in SadTalker_V0.0.2_<size>.safetensors (SadTalker's model2safetensor.py saves a
# module holding kp_extractor, generator, audio2exp, audio2pose and face_3drecon) and dict keys in
# the older facevid2vid .pth.tar.
SAFETENSORS_PREFIX = {"generator": "generator.", "kp_detector": "kp_extractor."}
PTH_KEY = {"generator": "generator", "kp_detector": "kp_detector"}


class UserError(Exception):
    """A problem with the user's inputs: printed as one message, exit status 2, no traceback."""


def coeff_count(preprocess: str) -> int:
    return FULL_COEFFS if preprocess == "full" else AUDIO_COEFFS


def safetensors_name(size: int) -> str:
    return f"SadTalker_V0.0.2_{size}.safetensors"


# --------------------------------------------------------------------------------------------
# SadTalker checkout
# --------------------------------------------------------------------------------------------

def import_sadtalker(root: str | os.PathLike) -> types.SimpleNamespace:
    """Imports the face renderer's networks and make_animation from a SadTalker checkout.

    SadTalker's modules import each other as `src.facerender...`, so the checkout root goes on
    sys.path. animate.py is not imported: it pulls in cv2, imageio, pydub and the enhancers.
    """
    root = Path(root).resolve()
    marker = root / "src" / "facerender" / "modules" / "generator.py"
    if not marker.is_file():
        raise UserError(f"--sadtalker {root}: not a SadTalker checkout (no"
                        f" {marker.relative_to(root)}): pass the folder holding SadTalker's src/")
    sys.path.insert(0, str(root))
    try:
        from src.facerender.modules import generator, keypoint_detector, make_animation, mapping
    except ImportError as e:
        raise UserError(f"cannot import SadTalker's face renderer from {root}: {e}") from e
    # Another package called `src` earlier on sys.path would shadow the checkout's.
    if Path(generator.__file__).resolve() != marker:
        raise UserError(f"`src` resolves to {generator.__file__}, not {marker}: another package"
                        " named src shadows the SadTalker checkout; run from another directory")
    return types.SimpleNamespace(
        root=root,
        OcclusionAwareSPADEGenerator=generator.OcclusionAwareSPADEGenerator,
        KPDetector=keypoint_detector.KPDetector,
        HEEstimator=keypoint_detector.HEEstimator,
        MappingNet=mapping.MappingNet,
        make_animation=make_animation.make_animation,
        keypoint_transformation=make_animation.keypoint_transformation,
        make_animation_module=make_animation,
    )


def quiet_sadtalker(st: types.SimpleNamespace) -> None:
    """Keeps SadTalker's noise out of the tools' output: make_animation's tqdm progress bar, and
    the deprecation warnings its code triggers in torch (F.sigmoid, softmax without dim,
    grid_sample's and interpolate's align_corners defaults, meshgrid's indexing)."""
    st.make_animation_module.tqdm = lambda iterable, *args, **kwargs: iterable
    for pattern in (r"nn\.functional\.sigmoid is deprecated", r"Implicit dimension choice",
                    r"Default grid_sample and affine_grid behavior",
                    r"The default behavior for interpolate", r"torch\.meshgrid: in an upcoming"):
        warnings.filterwarnings("ignore", message=pattern, category=UserWarning)


def default_config(sadtalker_root: str | os.PathLike, preprocess: str) -> Path:
    return Path(sadtalker_root) / "src" / "config" / YAML_FILE[preprocess]


def load_config(path: str | os.PathLike) -> dict:
    path = Path(path)
    if not path.is_file():
        raise UserError(f"config {path} does not exist")
    with open(path) as f:
        config = yaml.safe_load(f)
    if not isinstance(config, dict) or "model_params" not in config:
        raise UserError(f"config {path} has no model_params: pass SadTalker's facerender.yaml,"
                        " facerender_still.yaml or a reduced copy written by fixtures.py")
    return config


def config_problems(config: dict) -> list[str]:
    """Sizes in the face-render yaml that must agree for SadTalker's networks to build and run.

    Read off generator.py, keypoint_detector.py, dense_motion.py, util.py and mapping.py.
    """
    p = config["model_params"]
    common, gen, kp = p["common_params"], p["generator_params"], p["kp_detector_params"]
    dense, mapping = gen["dense_motion_params"], p["mapping_params"]
    problems = []
    if gen["block_expansion"] * 2 ** gen["num_down_blocks"] != SPADE_DECODER_CHANNELS:
        problems.append("generator block_expansion * 2**num_down_blocks must be 256, the input"
                        " channels SPADEDecoder hard-codes")
    if gen["max_features"] != gen["reshape_channel"] * gen["reshape_depth"]:
        problems.append("generator max_features must equal reshape_channel * reshape_depth (the 2-D"
                        " features are viewed as a 3-D volume)")
    if common["feature_channel"] != gen["reshape_channel"]:
        problems.append("common feature_channel must equal generator reshape_channel (the dense"
                        " motion network compresses the 3-D feature's channels)")
    if dense["reshape_depth"] != gen["reshape_depth"]:
        problems.append("dense_motion_params reshape_depth must equal generator reshape_depth")
    kp_top = min(kp["max_features"], kp["block_expansion"] * 2 ** kp["num_blocks"])
    if kp["reshape_channel"] != kp_top * kp["reshape_depth"]:
        problems.append(f"kp_detector reshape_channel must be min(max_features, block_expansion *"
                        f" 2**num_blocks) * reshape_depth = {kp_top * kp['reshape_depth']}")
    if mapping["num_kp"] != common["num_kp"]:
        problems.append("mapping_params num_kp must equal common num_kp")
    if mapping["num_bins"] != 66:
        problems.append("mapping_params num_bins must be 66 (headpose_pred_to_degree hard-codes"
                        " it)")
    return problems


def build_networks(st: types.SimpleNamespace, config: dict,
                   with_he_estimator: bool = False) -> dict:
    """The face renderer's networks, built from the yaml exactly as AnimateFromCoeff does."""
    p = config["model_params"]
    nets = {
        "generator": st.OcclusionAwareSPADEGenerator(**p["generator_params"], **p["common_params"]),
        "kp_detector": st.KPDetector(**p["kp_detector_params"], **p["common_params"]),
        "mapping": st.MappingNet(**p["mapping_params"]),
    }
    if with_he_estimator:
        nets["he_estimator"] = st.HEEstimator(**p["he_estimator_params"], **p["common_params"])
    return nets


# --------------------------------------------------------------------------------------------
# safetensors without the package: 8-byte little-endian header length, JSON header
# {name: {dtype, shape, data_offsets: [begin, end]}} (offsets relative to the end of the header),
# then the raw little-endian tensor bytes.
# --------------------------------------------------------------------------------------------

_ST_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U8": torch.uint8, "BOOL": torch.bool,
}
_ST_NAMES = {v: k for k, v in _ST_DTYPES.items()}


def is_safetensors(path: str | os.PathLike) -> bool:
    """By content, not name: a safetensors file starts with a header length and then '{'."""
    with open(path, "rb") as f:
        head = f.read(9)
    if len(head) < 9 or head[8:9] != b"{":
        return False
    (n,) = struct.unpack("<Q", head[:8])
    return 0 < n <= os.path.getsize(path) - 8


def read_safetensors(path: str | os.PathLike, prefixes: tuple[str, ...] = ()) -> tuple[dict, str]:
    """Tensors whose names start with one of `prefixes` (all when empty), and the reader used.

    Only the wanted tensors are read: SadTalker's file also holds audio2exp, audio2pose and
    face_3drecon, which the face renderer does not need.
    """
    try:
        from safetensors import safe_open  # optional; same result, faster for huge files
    except ImportError:
        safe_open = None
    if safe_open is not None:
        out = {}
        with safe_open(str(path), framework="pt") as f:
            for name in f.keys():
                if not prefixes or name.startswith(prefixes):
                    out[name] = f.get_tensor(name)
        return out, "safetensors package"

    if sys.byteorder != "little":
        raise UserError("the built-in safetensors reader needs a little-endian machine;"
                        " install the safetensors package")
    out = {}
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        try:
            header = json.loads(f.read(n))
        except ValueError as e:
            raise UserError(f"{path}: safetensors header is not JSON ({e})") from e
        base = 8 + n
        size = os.path.getsize(path)
        for name, info in header.items():
            if name == "__metadata__" or (prefixes and not name.startswith(prefixes)):
                continue
            dtype = _ST_DTYPES.get(info["dtype"])
            if dtype is None:
                raise UserError(f"{path}: tensor {name} has dtype {info['dtype']}, not supported")
            begin, end = info["data_offsets"]
            shape = info["shape"]
            nbytes = math.prod(shape) * torch.empty((), dtype=dtype).element_size()
            if end - begin != nbytes or base + end > size:
                raise UserError(f"{path}: tensor {name} offsets {begin}..{end} do not fit shape"
                                f" {shape} {info['dtype']} or the file (truncated download?)")
            if nbytes == 0:
                out[name] = torch.empty(shape, dtype=dtype)
                continue
            f.seek(base + begin)
            data = bytearray(f.read(nbytes))  # writable, so torch.frombuffer does not warn
            out[name] = torch.frombuffer(data, dtype=dtype).reshape(shape)
    return out, "built-in reader"


def write_safetensors(path: str | os.PathLike, tensors: dict, metadata: dict | None = None) -> None:
    """Writes `tensors` in the safetensors format (names sorted, header padded to 8 bytes)."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to("cpu").contiguous()
        if t.dtype not in _ST_NAMES:
            raise ValueError(f"{name}: dtype {t.dtype} cannot be written")
        # numpy has no bfloat16: write the bits through a same-width integer view.
        raw = t.view(torch.int16) if t.dtype == torch.bfloat16 else t
        data = raw.numpy().astype(raw.numpy().dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _ST_NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)


def torch_load(path: str | os.PathLike):
    """torch.load on CPU, weights only where this torch supports it.

    SadTalker's .pth.tar files hold only tensors, numbers and dicts, which the weights-only
    unpickler accepts; fall back to a full unpickle (what SadTalker itself does) if it refuses.
    """
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:  # torch < 1.13: no weights_only
        return torch.load(path, map_location="cpu")
    except Exception as e:  # an object the weights-only unpickler refuses
        if "weights_only" not in str(e) and "Unpickl" not in type(e).__name__:
            raise
        print(f"note: {path} needs a full unpickle ({type(e).__name__}); loading it as SadTalker"
              " does: only use checkpoints from a source you trust", file=sys.stderr)
        return torch.load(path, map_location="cpu", weights_only=False)


# --------------------------------------------------------------------------------------------
# SadTalker's renderer inputs (src/generate_facerender_batch.py, re-implemented because that
# module imports skimage) and Facerender's windows.
# --------------------------------------------------------------------------------------------

def renderer_rows(first_coeff_3dmm: np.ndarray, coeff_3dmm: np.ndarray, preprocess: str,
                  expression_scale: float = 1.0,
                  still: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame rows [F, C] and source coefficients [C] as get_facerender_data feeds them.

    Same numpy operations in the same order, so dtypes promote as in SadTalker: a float32
    audio2coeff matrix is scaled in float32, the full-mode concatenation with the float64 or
    float32 first_coeff promotes as numpy does, and torch.FloatTensor rounds to float32 at the end.
    """
    full = "full" in preprocess.lower()
    if first_coeff_3dmm.ndim != 2 or coeff_3dmm.ndim != 2:
        raise UserError("coeff_3dmm must be a 2-D matrix in both .mat files")
    need = FULL_COEFFS if full else AUDIO_COEFFS
    if first_coeff_3dmm.shape[1] < need:
        raise UserError(f"first_coeff coeff_3dmm has {first_coeff_3dmm.shape[1]} columns;"
                        f" {preprocess} mode needs {need} (SadTalker's preprocess writes 70"
                        " coefficients and the 3 crop parameters)")
    if coeff_3dmm.shape[1] < AUDIO_COEFFS:
        raise UserError(f"coefficient file coeff_3dmm has {coeff_3dmm.shape[1]} columns, needs 70")
    source = first_coeff_3dmm[:1, :need]
    generated = np.array(coeff_3dmm[:, :AUDIO_COEFFS])  # a copy: SadTalker scales in place
    generated[:, :EXPRESSION_COEFFS] = generated[:, :EXPRESSION_COEFFS] * expression_scale
    if full:
        generated = np.concatenate(
            [generated, np.repeat(source[:, AUDIO_COEFFS:], generated.shape[0], axis=0)], axis=1)
    if still:
        generated[:, EXPRESSION_COEFFS:] = np.repeat(source[:, EXPRESSION_COEFFS:],
                                                     generated.shape[0], axis=0)
    return generated.astype(np.float32), source[0].astype(np.float32)


def sadtalker_windows(rows: np.ndarray) -> np.ndarray:
    """[F, C, 27]: transform_semantic_target for every frame (SadTalker's way)."""
    n = rows.shape[0]
    out = []
    for frame in range(n):
        index = [min(max(i, 0), n - 1)
                 for i in range(frame - WINDOW_RADIUS, frame + WINDOW_RADIUS + 1)]
        out.append(rows[index, :].transpose(1, 0))
    return np.stack(out).astype(np.float32)


def sadtalker_source_window(source: np.ndarray) -> np.ndarray:
    """[C, 27]: transform_semantic_1, the source's coefficients repeated over the window."""
    return np.repeat(source[:, None], WINDOW, axis=1).astype(np.float32)


def facerender_windows(rows: torch.Tensor) -> torch.Tensor:
    """[F, C, 27] the way Facerender builds them with --window-radius 13: frame i's window holds
    frames i-13..i+13, indices clamped to the clip."""
    n = rows.shape[0]
    idx = (torch.arange(n)[:, None] + torch.arange(-WINDOW_RADIUS, WINDOW_RADIUS + 1)[None, :])
    idx = idx.clamp(0, n - 1).to(rows.device)
    return rows[idx].permute(0, 2, 1).contiguous()


# --------------------------------------------------------------------------------------------
# Deterministic synthetic inputs
# --------------------------------------------------------------------------------------------

def synthetic_face(size: int, seed: int) -> np.ndarray:
    """A face-like RGB image [size, size, 3] uint8: gradient background, hair, skin ellipse, eyes,
    brows, nose and mouth, softened and lightly textured. Same seed and size, same pixels.

    Structure matters: the keypoint detector and encoder see edges and regions as in a crop, not
    noise or a flat colour, so the comparison exercises the whole network.
    """
    from PIL import Image, ImageDraw, ImageFilter

    rng = np.random.default_rng(seed)
    s = float(size)
    jitter = lambda scale: float(rng.uniform(-scale, scale))  # noqa: E731
    y = np.linspace(0.0, 1.0, size)[:, None, None]
    top = np.array([70, 90, 120]) + rng.integers(-20, 20, 3)
    bottom = np.array([150, 160, 175]) + rng.integers(-20, 20, 3)
    background = (top * (1 - y) + bottom * y) * np.ones((1, size, 1))
    img = Image.fromarray(background.clip(0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)

    cx, cy = 0.5 + jitter(0.03), 0.52 + jitter(0.03)
    skin = tuple(int(v) for v in np.array([224, 180, 150]) + rng.integers(-30, 20, 3))
    hair = tuple(int(v) for v in rng.integers(20, 90, 3))
    box = lambda x0, y0, x1, y1: [x0 * s, y0 * s, x1 * s, y1 * s]  # noqa: E731
    d.rectangle(box(cx - 0.16, cy + 0.25, cx + 0.16, 1.0), fill=skin)                   # neck
    d.ellipse(box(cx - 0.42, cy + 0.38, cx + 0.42, 1.25), fill=(60, 70, 110))           # shoulders
    d.ellipse(box(cx - 0.33, cy - 0.45, cx + 0.33, cy + 0.15), fill=hair)               # hair
    d.ellipse(box(cx - 0.27, cy - 0.36, cx + 0.27, cy + 0.38), fill=skin)               # face
    for side in (-1, 1):
        ex, ey = cx + side * (0.11 + jitter(0.01)), cy - 0.06 + jitter(0.01)
        d.ellipse(box(ex - 0.055, ey - 0.025, ex + 0.055, ey + 0.025), fill=(245, 245, 240))
        d.ellipse(box(ex - 0.022, ey - 0.022, ex + 0.022, ey + 0.022), fill=(70, 50, 30))
        d.ellipse(box(ex - 0.009, ey - 0.009, ex + 0.009, ey + 0.009), fill=(10, 10, 10))
        d.line(box(ex - 0.06, ey - 0.06, ex + 0.05, ey - 0.07 + jitter(0.01)), fill=hair,
               width=max(1, int(size * 0.015)))                                        # brow
    shade = tuple(int(v * 0.8) for v in skin)
    d.polygon([(cx * s, (cy - 0.02) * s), ((cx - 0.035) * s, (cy + 0.09) * s),
               ((cx + 0.035) * s, (cy + 0.09) * s)], fill=shade)                        # nose
    d.ellipse(box(cx - 0.08, cy + 0.15, cx + 0.08, cy + 0.21), fill=(170, 60, 70))      # mouth
    d.line(box(cx - 0.07, cy + 0.18, cx + 0.07, cy + 0.18), fill=(90, 30, 35),
           width=max(1, int(size / 256)))

    img = img.filter(ImageFilter.GaussianBlur(radius=size / 256))
    texture = rng.normal(0.0, 3.0, (size, size, 1))
    return (np.asarray(img, dtype=np.float64) + texture).round().clip(0, 255).astype(np.uint8)


def synthetic_audio_coeffs(frames: int, seed: int) -> np.ndarray:
    """[frames, 70] float32 like audio2coeff's output (it saves its float tensors): 64 expression
    coefficients and a head pose (3 angles in radians, 3 translations) moving smoothly."""
    rng = np.random.default_rng(seed)
    t = np.arange(frames, dtype=np.float64)[:, None]

    def waves(n, amp_lo, amp_hi, period_lo, period_hi):
        amp = rng.uniform(amp_lo, amp_hi, n)
        period = rng.uniform(period_lo, period_hi, n)
        phase = rng.uniform(0.0, 2 * np.pi, n)
        return amp * np.sin(2 * np.pi * t / period + phase)

    # Lower expression components move more, as in 3DMM expression bases.
    exp = waves(EXPRESSION_COEFFS, 0.05, 0.6, 6.0, 30.0) * np.linspace(1.0, 0.3, EXPRESSION_COEFFS)
    angles = waves(3, 0.02, 0.12, 40.0, 90.0)
    trans = waves(3, 0.005, 0.03, 40.0, 90.0)
    return np.concatenate([exp, angles, trans], axis=1).astype(np.float32)


def synthetic_first_coeff(seed: int) -> np.ndarray:
    """[1, 73] float32 like SadTalker's preprocess writes for the source image: 64 expression,
    3 angles, 3 translations, then the crop parameters trans_params[2:] (scale, tx, ty)."""
    rng = np.random.default_rng(seed)
    exp = rng.normal(0.0, 0.3, EXPRESSION_COEFFS)
    angles = rng.normal(0.0, 0.05, 3)
    trans = rng.normal(0.0, 0.02, 3)
    crop = np.array([rng.uniform(0.9, 1.1), 112.0 + rng.normal(0, 3), 112.0 + rng.normal(0, 3)])
    return np.concatenate([exp, angles, trans, crop])[None, :].astype(np.float32)


def image_tensor(rgb: np.ndarray) -> torch.Tensor:
    """uint8 [H, W, 3] -> float32 [1, 3, H, W] in [0, 1] (img_as_float32: x / 255)."""
    return torch.from_numpy(np.array(rgb, dtype=np.uint8)).permute(2, 0, 1)[None].float() / 255.0


def to_uint8(frames: torch.Tensor) -> torch.Tensor:
    """[N, 3, H, W] in [0, 1] -> uint8, round(x * 255) as the fixtures' reference PNGs."""
    return (frames.detach().float().clamp(0, 1) * 255).round().to(torch.uint8)


def resize_frames(frames: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """The exported wrapper's resize: bilinear, align_corners=False."""
    if frames.shape[2] == h and frames.shape[3] == w:
        return frames
    return torch.nn.functional.interpolate(frames, size=[h, w], mode="bilinear",
                                           align_corners=False)
