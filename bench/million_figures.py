"""The figures of bench/million.sh and bench/million-cluster.sh, read from their output folder.

    million_figures.py OUT [--cluster]

Reads OUT/out-{small,large} (run.json, files), gc-*.txt and time-*.txt (the `cluster-` ones with
--cluster) and prints each run as JSON, then a table of the large run against the small one. The
heap after GC is the largest heap left after a young or full collection: Remark and Cleanup pauses
print how full the heap was, not what survived. Without --cluster, a killed-and-resumed run in
OUT/out-killed is summarised too.
"""
import json
import os
import re
import sys


def main():
    out = sys.argv[1]
    cluster = "--cluster" in sys.argv[2:]
    prefix = "cluster-" if cluster else ""

    def run(name):
        with open(os.path.join(out, name, "run.json")) as f:
            return json.load(f)

    def files(name):
        count, size = 0, 0
        for folder, _, names in os.walk(os.path.join(out, name)):
            for n in names:
                count += 1
                size += os.path.getsize(os.path.join(folder, n))
        return count, size

    def heap_after_gc(scale):
        with open(os.path.join(out, "gc-%s%s.txt" % (prefix, scale))) as f:
            text = f.read()
        return max([int(m) for m in re.findall(r"Pause (?:Young|Full)[^\n]*?\d+M->(\d+)M\(", text)] or [0])

    def time_peak_mib(scale):
        with open(os.path.join(out, "time-%s%s.txt" % (prefix, scale))) as f:
            return round(int(f.read().split()[-1]) / 1024)

    rows = {}
    for scale in ("small", "large"):
        name = "out-%s%s" % (prefix, scale)
        r = run(name)
        n, size = files(name)
        t = r["timings"]
        rows[scale] = dict(
            status=r["status"], master=r["master"], input=r["totals"]["input_frames"],
            rendered=r["totals"]["rendered_frames"], rejected=r["totals"]["error_frames"],
            waves=r["waves"]["total"], seconds_per_wave=r["waves"].get("seconds_per_wave_this_attempt"),
            job_fps=round(t["job_frames_per_second"]), total_s=round(t["total_seconds"], 1),
            files=n, mib=round(size / 2**20, 1), rss_mib=time_peak_mib(scale),
            rss_sampler_mib=round(t["peak_rss_bytes"] / 2**20), heap_after_gc_mib=heap_after_gc(scale))
        print(scale, json.dumps(rows[scale]))
    s, l = rows["small"], rows["large"]
    who = "driver" if cluster else "process (driver and executor)"
    print()
    print("| | %d rows | %d rows | ratio |" % (s["input"], l["input"]))
    print("|---|---|---|---|")
    print("| %s peak RSS, MiB (time -f %%M / run.json sampler) | %d / %d | %d / %d | %.2f / %.2f |" % (
        who, s["rss_mib"], s["rss_sampler_mib"], l["rss_mib"], l["rss_sampler_mib"],
        l["rss_mib"] / s["rss_mib"], l["rss_sampler_mib"] / s["rss_sampler_mib"]))
    print("| max heap after a young or full GC, MiB | %d | %d | %.2f |" % (
        s["heap_after_gc_mib"], l["heap_after_gc_mib"], l["heap_after_gc_mib"] / max(1, s["heap_after_gc_mib"])))
    for key in ("status", "master"):
        print("| %s | %s | %s | |" % (key, s[key], l[key]))
    print("| rendered / rejected | %d / %d | %d / %d | |" % (s["rendered"], s["rejected"], l["rendered"], l["rejected"]))
    print("| waves: seconds per wave | %d: %s | %d: %s | |" % (
        s["waves"], ", ".join(map(str, s["seconds_per_wave"])), l["waves"], ", ".join(map(str, l["seconds_per_wave"]))))
    print("| job frames/s (total s) | %d (%.1f) | %d (%.1f) | |" % (s["job_fps"], s["total_s"], l["job_fps"], l["total_s"]))
    print("| files / MiB written | %d / %.1f | %d / %.1f | |" % (s["files"], s["mib"], l["files"], l["mib"]))

    if cluster or not os.path.exists(os.path.join(out, "out-killed", "run.json")):
        return
    k = run("out-killed")
    w = k["waves"]
    print()
    print("killed and resumed:", k["status"], k["totals"]["rendered_frames"], "rendered,",
          k["totals"]["error_frames"], "errors", json.dumps({key: w[key] for key in (
              "total", "committed_before_this_attempt", "frames_committed_before_this_attempt",
              "input_frames_this_attempt", "frames_rendered_this_attempt",
              "seconds_per_wave_this_attempt")}))


if __name__ == "__main__":
    main()
