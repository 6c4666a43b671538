#!/usr/bin/env python3
"""Facerender against the plain PyTorch script (plain_pytorch.py) on one dataset, alternated.

Each round runs both commands as whole processes, in turn (the order flips every round), and
records frames/s of the whole process (frames / wall seconds, start-up included) and of the
steady state (Facerender: the render job, from run.json; the script: its render loop). Prints a
table with the ratios Facerender / script and writes compare.json into the work folder.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run(command, env=None):
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}")
    return wall, done.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clips", type=int, default=8)
    parser.add_argument("--frames", type=int, default=120)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=4, help="the script's batch")
    parser.add_argument("--work", default="bench-out/compare")
    parser.add_argument("--facerender-args", default="",
                        help="extra render arguments, one string")
    args = parser.parse_args()
    facerender = os.path.join(ROOT, "facerender")
    data = os.path.join(args.work, f"data-{args.clips}x{args.frames}x{args.size}")
    if not os.path.exists(os.path.join(data, "parquet", "frames")):
        shutil.rmtree(data, ignore_errors=True)
        shape = ["--clips", str(args.clips), "--frames", str(args.frames), "--size", str(args.size)]
        run([facerender, "generate", "--out", os.path.join(data, "parquet")] + shape)
        run([facerender, "generate", "--format", "jsonl", "--out", os.path.join(data, "jsonl")]
            + shape)
    total = args.clips * args.frames
    rounds = []
    for r in range(args.rounds):
        result = {}
        order = ["script", "facerender"] if r % 2 == 0 else ["facerender", "script"]
        for who in order:
            out = os.path.join(args.work, f"out-{who}")
            shutil.rmtree(out, ignore_errors=True)
            if who == "script":
                wall, stdout = run(["/usr/bin/python3", os.path.join(HERE, "plain_pytorch.py"),
                                    "--frames", os.path.join(data, "jsonl", "frames"),
                                    "--sources", os.path.join(data, "jsonl", "sources"),
                                    "--out", out, "--batch", str(args.batch)])
                report = json.loads(stdout.strip().splitlines()[-1])
                steady = report["loop_frames_per_second"]
            else:
                wall, _ = run([facerender, "render",
                               "--frames", os.path.join(data, "parquet", "frames"),
                               "--sources", os.path.join(data, "parquet", "sources"),
                               "--out", out] + args.facerender_args.split())
                with open(os.path.join(out, "run.json"), encoding="utf-8") as f:
                    report = json.load(f)
                steady = report["timings"]["job_frames_per_second"]
            result[who] = {"wall_seconds": wall, "whole_fps": total / wall, "steady_fps": steady}
        result["whole_ratio"] = result["facerender"]["whole_fps"] / result["script"]["whole_fps"]
        result["steady_ratio"] = result["facerender"]["steady_fps"] / result["script"]["steady_fps"]
        rounds.append(result)
        print(f"round {r + 1}: whole process fps facerender {result['facerender']['whole_fps']:.1f}"
              f" script {result['script']['whole_fps']:.1f} ratio {result['whole_ratio']:.2f};"
              f" steady fps facerender {result['facerender']['steady_fps']:.1f}"
              f" script {result['script']['steady_fps']:.1f} ratio {result['steady_ratio']:.2f}",
              flush=True)
    summary = {
        "dataset": {"clips": args.clips, "frames": args.frames, "size": args.size},
        "rounds": rounds,
        "median_whole_ratio": statistics.median(r["whole_ratio"] for r in rounds),
        "median_steady_ratio": statistics.median(r["steady_ratio"] for r in rounds),
    }
    with open(os.path.join(args.work, "compare.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    print(f"median Facerender / script: whole process {summary['median_whole_ratio']:.2f},"
          f" steady state {summary['median_steady_ratio']:.2f}")


if __name__ == "__main__":
    main()
