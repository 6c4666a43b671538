#!/usr/bin/env python3
"""bench/gpu-day.sh's report: OUT/gpu-day.json and OUT/gpu-day.md from what its steps left in OUT.

  python3 bench/gpu_day_report.py OUT [SECONDS]

Reads OUT/meta.tsv (the run: device, budget, Python, environment), OUT/steps.tsv (one line per step
that ran: name, status, exit code, seconds, time limit, reason) and each step's files (run.json and
metrics.json of a render, doctor's and benchmark's JSON, gpu-probe's JSON, nvidia-smi samples,
whole-process wall times). Writes, for every step, its status (ok, failed or skipped, with the
reason), seconds, exit code, figures and, when it failed, the tail of its log; then `checks`, the
issue's targets, each passed, failed or skipped (with why: "skipped: simulated" where the figure
needs real hardware). Any Python 3; no third-party packages. Run after every step, so the files
always say how far the day got.
"""

import glob
import json
import math
import os
import sys

STEPS = [
    ("doctor", "a", "doctor --json: device, CUDA libraries, plan"),
    ("datasets", "-", "generate the datasets"),
    ("render", "b", "plain render on the device"),
    ("plain", "c", "whole process against plain PyTorch"),
    ("reference", "d", "reference network at level high"),
    ("precisions", "e", "precisions fp32/tf32/bf16/fp16"),
    ("probe", "f", "gpu-probe vs render at one precision"),
    ("forced_oom", "g", "forced OOM splits"),
    ("extreme", "h", "calibration at the limit (level extreme)"),
]


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def number(path):
    text = read(path)
    try:
        return float(text.strip()) if text else None
    except ValueError:
        return None


def tail(path, lines=20):
    text = read(path)
    if not text:
        return None
    # Progress bars redraw with carriage returns: keep each line's last state.
    rows = [row.rsplit("\r", 1)[-1] for row in text.splitlines()]
    return "\n".join(row for row in rows if row.strip())[-4000:].splitlines()[-lines:]


def finite(value):
    """JSON has no infinity: an identical frame's PSNR is reported as the string "Infinity"."""
    if isinstance(value, float) and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def as_float(value):
    if isinstance(value, str) and value.lower() in ("infinity", "inf"):
        return math.inf
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def rounded(value, digits=3):
    return None if value is None else round(value, digits)


def smi(path):
    """nvidia-smi samples (timestamp, utilization %, memory MiB), 250 ms apart: the busy share
    counts the samples from the first busy one to the last (the render, not the JVM's start or the
    report)."""
    text = read(path)
    if text is None:
        return None
    util, memory = [], []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) >= 3 and parts[1].isdigit():
            util.append(int(parts[1]))
            if parts[2].isdigit():
                memory.append(int(parts[2]))
    busy = [i for i, v in enumerate(util) if v > 0]
    window = util[busy[0]:busy[-1] + 1] if busy else []
    return {
        "samples": len(util),
        "window_samples": len(window),
        "busy_share": rounded(sum(1 for v in window if v > 0) / len(window)) if window else 0.0,
        "mean_utilization": rounded(sum(window) / len(window), 1) if window else 0.0,
        "max_utilization": max(util) if util else None,
        "max_memory_used_mib": max(memory) if memory else None,
    }


def render_figures(out, name):
    """A render's run.json and metrics.json: device, frames, OOMs, speed, batches."""
    run = load(f"{out}/{name}/run.json")
    if run is None:
        return None
    metrics = load(f"{out}/{name}/metrics.json") or {}
    totals = run.get("totals", {})
    timings = run.get("timings", {})
    tasks = metrics.get("tasks", []) if isinstance(metrics, dict) else []
    slots = run.get("settings", {}).get("slots", {})
    per_task = timings.get("render_only_frames_per_second_per_task")
    figures = {
        "device": run.get("device"),
        "device_reason": run.get("device_reason"),
        "engine": run.get("engine"),
        "master": run.get("master"),
        "status": run.get("status"),
        "model": run.get("settings", {}).get("model"),
        "precision": run.get("settings", {}).get("torch", {}).get("precision"),
        "input_frames": totals.get("input_frames"),
        "rendered_frames": totals.get("rendered_frames"),
        "error_frames": totals.get("error_frames"),
        "batches": totals.get("batches"),
        "ooms": totals.get("ooms"),
        "splits": totals.get("splits"),
        "task_devices": sorted({str(t.get("device")) for t in tasks}),
        "largest_batch": max((t.get("largest_batch", 0) for t in tasks), default=None),
        "tasks_per_device": slots.get("tasksPerDevice"),
        "render_job_seconds": rounded(timings.get("render_job_seconds")),
        "job_frames_per_second": rounded(timings.get("job_frames_per_second"), 1),
        "render_only_frames_per_second_per_task": rounded(per_task, 1),
        "calibration": run.get("calibration"),
        "phases": {k: rounded(v) for k, v in run.get("phases", {}).items()},
        "peak_rss_bytes": timings.get("peak_rss_bytes"),
    }
    return figures


def doctor_figures(doctor):
    if not isinstance(doctor, dict):
        return None
    libraries = (doctor.get("cudaLibraries") or {}).get("libraries") or []
    calibration = doctor.get("calibration") or {}
    return {
        "device": doctor.get("device"),
        "kind": doctor.get("kind"),
        "natives": doctor.get("natives"),
        "model": doctor.get("model"),
        "total_bytes": doctor.get("totalBytes"),
        "free_bytes": doctor.get("freeBytes"),
        "frame_size": doctor.get("frameWidth"),
        "gflops_per_frame": doctor.get("gflopsPerFrame"),
        "cuda_libraries": len(libraries),
        "cuda_libraries_loading": sum(1 for lib in libraries if lib.get("loads")),
        "cuda_libraries_missing": [lib.get("soname") for lib in libraries if not lib.get("loads")],
        "calibration_points": [
            {"batch": p.get("batch"), "fps": rounded(p.get("framesPerSecond"), 1)}
            for p in calibration.get("points", [])
        ],
        "smallest_oom": calibration.get("smallestOom"),
        "plans": {level: plan.get("batch") for level, plan in (doctor.get("levels") or {}).items()},
        "device_choice": (doctor.get("deviceChoice") or {}).get("reason"),
    }


def figures_for(out, name, meta, steps):
    if name == "doctor":
        return doctor_figures(load(f"{out}/doctor.json"))
    if name == "datasets":
        found = {}
        for folder in sorted(glob.glob(f"{out}/data/*/frames")):
            found[os.path.basename(os.path.dirname(folder))] = True
        oom = number(f"{out}/oom-frames.txt")
        return {"datasets": sorted(found), "oom_frames": int(oom) if oom else None}
    if name == "render":
        figures = render_figures(out, "render") or {}
        figures["whole_process_seconds"] = number(f"{out}/render.wall")
        figures["gpu"] = smi(f"{out}/render.smi")
        return figures
    if name == "plain":
        plain = load(f"{out}/plain.json")
        figures = {"script": plain, "whole_process_seconds": number(f"{out}/plain.wall")}
        facerender = number(f"{out}/render.wall")
        figures["facerender_whole_process_seconds"] = facerender
        if figures["whole_process_seconds"] and facerender:
            figures["ratio"] = rounded(figures["whole_process_seconds"] / facerender)
        return figures
    if name == "reference":
        figures = render_figures(out, "reference") or {}
        figures["gpu"] = smi(f"{out}/reference.smi")
        return figures
    if name == "precisions":
        rows = load(f"{out}/precisions.json")
        if not isinstance(rows, list):
            return None
        by = {r.get("precision"): r for r in rows}
        fp32 = as_float((by.get("fp32") or {}).get("framesPerSecond"))
        figures = {
            "precisions": [
                {
                    "precision": r.get("precision"),
                    "fps": rounded(as_float(r.get("framesPerSecond")), 2),
                    "speedup_vs_fp32": rounded(as_float(r.get("framesPerSecond")) / fp32, 2)
                    if fp32 and as_float(r.get("framesPerSecond")) is not None
                    else None,
                    "worst_psnr_db": finite(rounded(as_float(r.get("worstPsnrDb")), 2)),
                    "error": r.get("error") or None,
                }
                for r in rows
            ]
        }
        return figures
    if name == "probe":
        probe = load(f"{out}/probe.json")
        render = render_figures(out, "probe-render")
        batch = number(f"{out}/probe-batch.txt")
        figures = {"batch": int(batch) if batch else None, "precision": meta.get("precision")}
        if isinstance(probe, dict):
            point = next((p for p in probe.get("points", []) if p.get("batch") == figures["batch"]),
                         None)
            figures["probe_torch"] = probe.get("torch")
            figures["probe_device"] = probe.get("device_name")
            if point and "frames_per_second" in point:
                figures["probe_model_only_fps"] = point["frames_per_second"]
                figures["probe_with_quantize_copy_fps"] = (point.get("with_quantize_copy") or {}
                                                           ).get("frames_per_second")
            elif point:
                figures["probe_error"] = point.get("oom")
        if render:
            figures["facerender_render_only_fps"] = render.get(
                "render_only_frames_per_second_per_task")
            figures["facerender_job_fps"] = render.get("job_frames_per_second")
            figures["facerender_device"] = render.get("device")
            figures["facerender_largest_batch"] = render.get("largest_batch")
            figures["facerender_ooms"] = render.get("ooms")
        fr = figures.get("facerender_render_only_fps")
        if fr and figures.get("probe_with_quantize_copy_fps"):
            figures["ratio_vs_with_quantize_copy"] = rounded(
                fr / figures["probe_with_quantize_copy_fps"])
        if fr and figures.get("probe_model_only_fps"):
            figures["ratio_vs_model_only"] = rounded(fr / figures["probe_model_only_fps"])
        return figures
    if name == "forced_oom":
        figures = render_figures(out, "forced-oom") or {}
        asked = number(f"{out}/oom-frames.txt")
        figures["frames_asked"] = int(asked) if asked else None
        return figures
    if name == "extreme":
        doctor = doctor_figures(load(f"{out}/extreme.json"))
        rc = number(f"{out}/extreme.rc")
        crashes = [os.path.basename(p) for p in glob.glob(f"{out}/hs_err_pid*.log")
                   if "level extreme" in (read(p) or "")]
        return {"jvm_exit_code": int(rc) if rc is not None else None,
                "fatal_error_logs": crashes, "doctor": doctor}
    return None


def read_meta(out):
    meta = {}
    for line in (read(f"{out}/meta.tsv") or "").splitlines():
        key, _, value = line.partition("\t")
        meta[key] = value
    return meta


def read_steps(out):
    steps = {}
    for line in (read(f"{out}/steps.tsv") or "").splitlines():
        parts = line.split("\t")
        if len(parts) < 6:
            continue
        name, status, rc, seconds, limit, reason = parts[:6]
        steps[name] = {
            "status": status,
            "exit_code": int(rc) if rc.lstrip("-").isdigit() else None,
            "seconds": as_float(seconds),
            "limit_seconds": as_float(limit),
            "reason": reason or None,
        }
    return steps


def check(status, value=None, target=None, **extra):
    result = {"status": status, "value": value, "target": target}
    result.update(extra)
    return result


def checks_for(steps, figures, simulated):
    """The issue's targets. On the simulator a figure that needs real hardware (device, whole
    process, busy share, speed ratios, bf16) is "skipped: simulated"; its value is still shown."""
    def unavailable(step):
        state = steps.get(step)
        if state is None:
            return f"skipped: step {step} did not run"
        if state["status"] == "skipped":
            return f"skipped: step {step} skipped ({state['reason']})"
        if state["status"] == "failed":
            return f"failed: step {step} failed ({state['reason']})"
        return None

    def verdict(ok, hardware=True):
        if hardware and simulated:
            return "skipped: simulated"
        return "passed" if ok else "failed"

    checks = {}
    render = figures.get("render") or {}
    devices = render.get("task_devices") or []
    want = "sim-gpu:0" if simulated else "cuda:0"
    on_device = render.get("device") == want and devices == [want] and (
        render.get("rendered_frames") == render.get("input_frames") is not None)
    checks["render_on_cuda0"] = check(
        unavailable("render") or verdict(on_device), render.get("device"), "cuda:0",
        task_devices=devices, rendered=render.get("rendered_frames"),
        rehearsal_device_ok=on_device if simulated else None)

    plain = figures.get("plain") or {}
    ratio = plain.get("ratio")
    checks["whole_process_ratio"] = check(
        unavailable("plain") or (verdict(ratio is not None and ratio >= 1.0)),
        ratio, ">= 1.0 (goal 1.5)", goal_met=None if simulated or ratio is None else ratio >= 1.5,
        plain_seconds=plain.get("whole_process_seconds"),
        facerender_seconds=plain.get("facerender_whole_process_seconds"))

    reference = figures.get("reference") or {}
    busy = (reference.get("gpu") or {}).get("busy_share")
    checks["reference_busy"] = check(
        unavailable("reference") or verdict(busy is not None and busy >= 0.9), busy, ">= 0.9",
        samples=(reference.get("gpu") or {}).get("window_samples"))
    ooms = reference.get("ooms")
    checks["reference_high_no_oom"] = check(
        unavailable("reference") or verdict(ooms == 0 and reference.get("rendered_frames")
                                             == reference.get("input_frames"), hardware=False),
        ooms, "0 OOMs at level high, every frame rendered", model=reference.get("model"))

    probe = figures.get("probe") or {}
    ratio = probe.get("ratio_vs_with_quantize_copy")
    checks["reference_vs_probe"] = check(
        unavailable("probe") or verdict(ratio is not None and ratio >= 0.9), ratio, ">= 0.9",
        batch=probe.get("batch"), precision=probe.get("precision"),
        facerender_fps=probe.get("facerender_render_only_fps"),
        probe_with_quantize_copy_fps=probe.get("probe_with_quantize_copy_fps"),
        probe_model_only_fps=probe.get("probe_model_only_fps"),
        ratio_vs_model_only=probe.get("ratio_vs_model_only"))

    rows = {r["precision"]: r for r in (figures.get("precisions") or {}).get("precisions", [])}
    bf16 = rows.get("bf16") or {}
    speedup, psnr = bf16.get("speedup_vs_fp32"), as_float(bf16.get("worst_psnr_db"))
    checks["bf16_speedup"] = check(
        unavailable("precisions") or verdict(speedup is not None and speedup >= 2
                                              and psnr is not None and psnr >= 40),
        speedup, ">= 2x fp32 with worst frame >= 40 dB", worst_psnr_db=finite(psnr),
        error=bf16.get("error"))

    oom = figures.get("forced_oom") or {}
    asked = oom.get("frames_asked")
    split = ((oom.get("ooms") or 0) > 0 and (oom.get("splits") or 0) > 0
             and asked is not None and oom.get("rendered_frames") == asked)
    checks["forced_oom_splits"] = check(
        unavailable("forced_oom") or verdict(split, hardware=False), oom.get("ooms"),
        "an OOM, split, every frame rendered", splits=oom.get("splits"),
        rendered=oom.get("rendered_frames"), frames=oom.get("frames_asked"))

    crashed = {name: s["exit_code"] for name, s in steps.items()
               if s["exit_code"] in (134, 139) or (s["reason"] or "").startswith("crashed")}
    extreme = steps.get("extreme")
    logs = sorted(os.path.basename(p) for p in glob.glob(f"{OUT}/hs_err_pid*.log"))
    if crashed or logs:
        status = "failed"
    elif extreme is None or extreme["status"] == "skipped":
        status = "skipped: step extreme did not run" if extreme is None else (
            f"skipped: step extreme skipped ({extreme['reason']})")
    else:
        status = "passed" if not crashed and not logs and extreme["status"] == "ok" else "failed"
    checks["no_crash"] = check(
        status, not crashed and not logs, "no JVM crash (SIGSEGV, exit 134/139), calibration at"
        " level extreme exits on its own", crashed_steps=crashed, fatal_error_logs=logs,
        extreme_exit_code=(figures.get("extreme") or {}).get("jvm_exit_code"))
    return checks


def markdown(result):
    lines = [f"# GPU day: {result['device']}", ""]
    lines.append(f"{result['seconds']} s of a {result['budget_seconds']} s budget; "
                 f"steps {'all ok or skipped' if result['ok'] else 'FAILED: ' + ', '.join(result['failed_steps'])}.")
    lines += ["", "| step | | status | seconds | exit | figures / reason |", "|---|---|---|---|---|---|"]
    for name, step in result["steps"].items():
        note = step.get("reason") or step.get("summary") or ""
        lines.append(f"| {name} | {step['letter']} | {step['status']} | {step['seconds']} | "
                     f"{'' if step['exit_code'] is None else step['exit_code']} | {note} |")
    lines += ["", "| check | status | value | target |", "|---|---|---|---|"]
    for name, c in result["checks"].items():
        lines.append(f"| {name} | {c['status']} | {c['value']} | {c['target']} |")
    return "\n".join(lines) + "\n"


def summary(name, f):
    """One line of a step's main figures, for the markdown table."""
    if not f:
        return ""
    try:
        if name == "doctor":
            return (f"{f['device']}, {f['cuda_libraries_loading']}/{f['cuda_libraries']} CUDA libraries"
                    f" load, plans {f['plans']}")
        if name in ("render", "reference", "forced_oom"):
            text = (f"{f.get('device')}: {f.get('rendered_frames')}/{f.get('input_frames')} frames,"
                    f" {f.get('ooms')} OOMs, {f.get('splits')} splits, largest batch"
                    f" {f.get('largest_batch')}, {f.get('job_frames_per_second')} frames/s")
            if f.get("whole_process_seconds"):
                text += f", whole process {f['whole_process_seconds']:.1f} s"
            if f.get("gpu"):
                text += f", GPU busy {f['gpu']['busy_share']}"
            return text
        if name == "plain":
            return (f"plain {f.get('whole_process_seconds')} s vs facerender"
                    f" {f.get('facerender_whole_process_seconds')} s: ratio {f.get('ratio')}")
        if name == "precisions":
            return ", ".join(f"{r['precision']} {r['fps']} fps ({r['speedup_vs_fp32']}x,"
                             f" {r['worst_psnr_db']} dB)" for r in f["precisions"])
        if name == "probe":
            return (f"batch {f.get('batch')} {f.get('precision')}: facerender"
                    f" {f.get('facerender_render_only_fps')} fps, probe model only"
                    f" {f.get('probe_model_only_fps')}, + uint8 + copy"
                    f" {f.get('probe_with_quantize_copy_fps')}: {f.get('ratio_vs_with_quantize_copy')}")
        if name == "extreme":
            plans = (f.get("doctor") or {}).get("plans")
            return f"JVM exit {f.get('jvm_exit_code')}, plans {plans}"
        if name == "datasets":
            return f"{', '.join(f['datasets'])}; OOM batch {f.get('oom_frames')}"
    except (KeyError, TypeError, ValueError):
        return ""
    return ""


OUT = "."


def main():
    global OUT
    OUT = out = sys.argv[1]
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else None
    meta = read_meta(out)
    simulated = bool(meta.get("simulate"))
    steps = read_steps(out)
    figures = {name: figures_for(out, name, meta, steps) for name in steps}
    result_steps = {}
    for name, letter, title in STEPS:
        if name not in steps:
            continue
        step = {"letter": letter, "title": title, **steps[name], "figures": figures.get(name)}
        step["summary"] = summary(name, figures.get(name))
        if step["status"] == "failed":
            step["log_tail"] = tail(f"{out}/{name}.log")
        result_steps[name] = step
    failed = [n for n, s in result_steps.items() if s["status"] == "failed"]
    if simulated:
        device = f"simulated GPU {meta['simulate']} (sim-gpu:0) on {meta.get('cpus')} CPUs"
    else:
        device = meta.get("gpu") or "cuda:0"
    result = {
        "device": device,
        "simulated": simulated,
        "seconds": seconds,
        "budget_seconds": int(meta.get("budget_seconds") or 0),
        "ok": not failed,
        "failed_steps": failed,
        "steps": result_steps,
        "checks": checks_for(steps, figures, simulated),
        "not_run": [n for n, _, _ in STEPS if n not in steps],
        "run": meta,
    }
    with open(f"{out}/gpu-day.json.tmp", "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    os.replace(f"{out}/gpu-day.json.tmp", f"{out}/gpu-day.json")
    with open(f"{out}/gpu-day.md.tmp", "w", encoding="utf-8") as f:
        f.write(markdown(result))
    os.replace(f"{out}/gpu-day.md.tmp", f"{out}/gpu-day.md")


if __name__ == "__main__":
    main()
