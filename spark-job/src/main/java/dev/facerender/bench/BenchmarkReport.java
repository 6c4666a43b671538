package dev.facerender.bench;

import static dev.facerender.report.HtmlReport.escape;

import dev.facerender.batch.ThroughputPoint;
import dev.facerender.report.Charts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** benchmark.html: self-contained, charts embedded as PNG, the numbers as a table. */
final class BenchmarkReport {
  private BenchmarkReport() {}

  static String render(Benchmark.Result r) {
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Facerender benchmark")
        .append("</title><style>body{font-family:sans-serif;max-width:960px;margin:2em auto}")
        .append("td,th{padding:2px 10px;text-align:left}img{max-width:100%}</style></head><body>")
        .append("<h1>Facerender benchmark</h1><p>Device ")
        .append(escape(r.device()))
        .append(", ")
        .append(r.concurrentTasks())
        .append(" task slots, ")
        .append(r.torchThreads())
        .append(" libtorch threads per task, level ")
        .append(escape(r.level()))
        .append(". Every ratio compares numbers measured in this one run.</p>");

    List<double[]> sweep = new ArrayList<>();
    for (ThroughputPoint p : r.sweep()) {
      sweep.add(new double[] {p.batch(), p.framesPerSecond()});
    }
    Map<String, List<double[]>> marks = new LinkedHashMap<>();
    marks.put("chosen batch", List.of(new double[] {r.chosenBatch(), r.chosenFramesPerSecond()}));
    marks.put("best batch", List.of(new double[] {r.bestBatch(), r.bestFramesPerSecond()}));
    image(
        html,
        "Frames/s by batch size (render only, one task)",
        Charts.lineWithMarks(
            "Frames/s by batch size", "batch", "frames/s", Map.of("sweep", sweep), marks));

    List<String> names = new ArrayList<>(List.of("render only"));
    List<Double> values = new ArrayList<>(List.of(r.renderOnlyFramesPerSecond()));
    r.endToEndFramesPerSecond()
        .forEach(
            (name, fps) -> {
              names.add("end to end, " + name);
              values.add(fps);
            });
    image(
        html,
        "End to end vs render only (all task slots)",
        Charts.bars(
            "End to end vs render only", "", "frames/s", names, Map.of("frames/s", values), false));
    image(
        html,
        "Batch per level",
        Charts.bars(
            "Batch per level",
            "level",
            "frames per batch",
            new ArrayList<>(r.levels().keySet()),
            Map.of("batch", r.levels().values().stream().map(Integer::doubleValue).toList()),
            false));

    html.append("<h2>Numbers</h2><table>");
    row(html, "batch 1 frames/s", r.batch1FramesPerSecond());
    row(html, "best frames/s (batch " + r.bestBatch() + ")", r.bestFramesPerSecond());
    row(html, "chosen batch", r.chosenBatch());
    row(html, "render-only frames/s, all slots", r.renderOnlyFramesPerSecond());
    row(html, "PNG/JPEG encode frames/s per thread", r.encodeFramesPerSecondPerThread());
    r.endToEndFramesPerSecond()
        .forEach((name, fps) -> row(html, "end-to-end frames/s, " + name, fps));
    r.peakRssBytes()
        .forEach((name, bytes) -> row(html, "peak RSS MiB, " + name, bytes / 1048576.0));
    row(html, "default pipeline depth on this device", r.defaultPipelineDepth());
    row(html, "end-to-end (default depth) / render-only", r.endToEndOverRenderOnly());
    row(html, "pipelined / sequential", r.pipelinedOverSequential());
    row(html, "video only (mp4, no frames) / PNG frames", r.videoOnlyOverPng());
    if (r.sizingAccuracy() != null) {
      row(html, "largest batch that fits", r.largestFittingBatch());
      row(html, "chosen / largest that fits", r.sizingAccuracy());
    }
    html.append("</table></body></html>\n");
    return html.toString();
  }

  private static void image(StringBuilder html, String caption, byte[] png) {
    html.append("<h2>")
        .append(escape(caption))
        .append("</h2><img alt=\"")
        .append(escape(caption))
        .append("\" src=\"")
        .append(Charts.dataUri(png))
        .append("\">");
  }

  private static void row(StringBuilder html, String name, double value) {
    html.append("<tr><th>")
        .append(escape(name))
        .append("</th><td>")
        .append(String.format(Locale.ROOT, value == Math.rint(value) ? "%.0f" : "%.3f", value))
        .append("</td></tr>");
  }
}
