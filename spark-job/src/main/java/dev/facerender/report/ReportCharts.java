package dev.facerender.report;

import dev.facerender.job.MetricsDigest;
import dev.facerender.metrics.BatchMetrics;
import java.util.List;
import java.util.Locale;

/**
 * The report's charts, each aggregate one with the figures it draws in a table under it, so a
 * reader can check them against metrics.json. Sums and rates come from the digest's time bins and
 * task rows (every batch); only the marks of single batches come from its sample.
 */
final class ReportCharts {
  private ReportCharts() {}

  static void append(StringBuilder html, MetricsDigest digest) {
    html.append("<h2>Speed and batches</h2>");
    List<BatchMetrics> sample = digest.sample();
    if (digest.batches() == 0 || sample.isEmpty()) {
      html.append("<p>No batch was rendered, so there is nothing to chart.</p>");
      return;
    }
    String sampled = digest.sampleLabel();
    long t0 = RunFigures.start(digest);
    List<RunFigures.Bin> bins = RunFigures.bins(digest);
    HtmlReport.figure(
        html,
        "chart-throughput",
        "image/png",
        RunCharts.throughputOverTime(bins, sample, t0, sampled),
        fmt(
            "Frames per second over time: all tasks together, every batch counted in the time bin"
                + " it started in (%.1f frames/s on average over the %.2f s from the first"
                + " batch's start to the last one's end), and single batches (%s).",
            digest.total("frames") / RunFigures.spanSeconds(digest),
            RunFigures.spanSeconds(digest),
            sampled));
    binTable(html, bins);
    HtmlReport.figure(
        html,
        "chart-batch-size",
        "image/png",
        RunCharts.batchSizeOverTime(sample, t0),
        "Batch size over time per task, with out-of-memory retries and splits marked ("
            + sampled
            + "; the totals count every OOM and split).");
    RunFigures.Split split = RunFigures.timeSplit(digest);
    HtmlReport.figure(
        html,
        "chart-time-split",
        "image/png",
        RunCharts.timeSplit(split),
        "Decode, render and encode seconds, summed over every batch of each " + split.axis() + ".");
    splitTable(html, split);
    HtmlReport.figure(
        html,
        "chart-throughput-by-size",
        "image/png",
        RunCharts.throughputBySize(sample, sampled),
        "Frames per second by batch size ("
            + sampled
            + "): bigger is not always faster; the time split has every batch's seconds.");
  }

  private static void binTable(StringBuilder html, List<RunFigures.Bin> bins) {
    html.append("<details><summary>All tasks, per time bin</summary>")
        .append("<table id=\"throughput-bins\"><tr><th>from s</th><th>to s</th>")
        .append("<th>batches</th><th>frames</th><th>frames/s</th></tr>");
    for (RunFigures.Bin bin : bins) {
      cells(
          html,
          fmt("%.3f", bin.fromSeconds()),
          fmt("%.3f", bin.toSeconds()),
          Long.toString(bin.batches()),
          Long.toString(bin.frames()),
          fmt("%.1f", bin.framesPerSecond()));
    }
    html.append("</table></details>");
  }

  private static void splitTable(StringBuilder html, RunFigures.Split split) {
    html.append("<details><summary>Seconds per ")
        .append(split.axis())
        .append("</summary><table id=\"time-split\"><tr><th>")
        .append(split.axis())
        .append("</th><th>batches</th><th>frames</th><th>decode s</th><th>render s</th>")
        .append("<th>encode s</th><th>model-only frames/s</th></tr>");
    for (RunFigures.Group group : split.groups()) {
      cells(
          html,
          HtmlReport.escape(group.name()),
          Long.toString(group.batches()),
          Long.toString(group.frames()),
          fmt("%.3f", group.decodeNanos() / 1e9),
          fmt("%.3f", group.renderNanos() / 1e9),
          fmt("%.3f", group.encodeNanos() / 1e9),
          fmt("%.1f", group.renderOnlyFramesPerSecond()));
    }
    html.append("</table></details>");
  }

  private static void cells(StringBuilder html, String... values) {
    html.append("<tr>");
    for (String value : values) {
      html.append("<td>").append(value).append("</td>");
    }
    html.append("</tr>");
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
