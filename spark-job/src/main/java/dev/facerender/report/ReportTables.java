package dev.facerender.report;

import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import java.util.List;
import java.util.Locale;

/** The report's tables of batches and of rejected rows. */
final class ReportTables {
  private ReportTables() {}

  /** The first 200 batches of the sample ({@code sampled} names it), one row each. */
  static void batches(StringBuilder html, List<BatchMetrics> batches, String sampled) {
    html.append("<h2>Batches</h2><p>The first ")
        .append(Math.min(200, batches.size()))
        .append(" batches of the sample (")
        .append(HtmlReport.escape(sampled))
        .append(").</p><table id=\"batches\"><tr><th>partition</th><th>seq</th>")
        .append("<th>device</th><th>planned</th><th>ceiling</th><th>actual</th><th>frames</th>")
        .append("<th>OOMs</th><th>splits</th><th>decode ms</th><th>render ms</th>")
        .append("<th>encode ms</th><th>frames/s</th></tr>");
    for (BatchMetrics b : batches.subList(0, Math.min(200, batches.size()))) {
      html.append("<tr><td>")
          .append(b.partition())
          .append("</td><td>")
          .append(b.batchSeq())
          .append("</td><td>")
          .append(HtmlReport.escape(b.device()))
          .append("</td><td>")
          .append(b.plannedBatch())
          .append("</td><td>")
          .append(b.ceiling())
          .append("</td><td>")
          .append(b.actualBatch())
          .append("</td><td>")
          .append(b.frames())
          .append("</td><td>")
          .append(b.ooms())
          .append("</td><td>")
          .append(b.splits())
          .append("</td><td>")
          .append(fmt("%.1f", b.decodeNanos() / 1e6))
          .append("</td><td>")
          .append(fmt("%.1f", b.renderNanos() / 1e6))
          .append("</td><td>")
          .append(fmt("%.1f", b.encodeNanos() / 1e6))
          .append("</td><td>")
          .append(fmt("%.0f", b.framesPerSecond()))
          .append("</td></tr>");
    }
    html.append("</table>");
  }

  /** The rejected rows' count and the first 100 of them. */
  static void errors(StringBuilder html, List<FrameError> errors) {
    html.append("<h2>Rejected rows (").append(errors.size()).append(")</h2>");
    if (errors.isEmpty()) {
      return;
    }
    html.append("<table id=\"errors\"><tr><th>clip</th><th>frame</th><th>stage</th>")
        .append("<th>code</th><th>message</th></tr>");
    for (FrameError e : errors.subList(0, Math.min(100, errors.size()))) {
      html.append("<tr><td>")
          .append(HtmlReport.escape(String.valueOf(e.clipId())))
          .append("</td><td>")
          .append(e.frameIndex())
          .append("</td><td>")
          .append(HtmlReport.escape(e.stage()))
          .append("</td><td>")
          .append(HtmlReport.escape(e.code()))
          .append("</td><td style=\"text-align:left\">")
          .append(HtmlReport.escape(e.message()))
          .append("</td></tr>");
    }
    html.append("</table>");
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
