package dev.facerender.report;

import static org.apache.spark.sql.functions.col;

import dev.facerender.job.RunSummary;
import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** A self-contained HTML report of a render: totals, speed, batches, errors, sample frames. */
public final class HtmlReport {
  private static final int SAMPLE_CLIPS = 4;

  private HtmlReport() {}

  public static String render(RunSummary run, SparkSession spark) {
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>Facerender run ")
        .append(escape(run.runId()))
        .append("</title><style>")
        .append("body{font-family:sans-serif;margin:2em;color:#222}")
        .append("table{border-collapse:collapse;margin:1em 0}")
        .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
        .append("th{background:#f3f3f3}.frames img{margin:2px;border:1px solid #ddd}")
        .append("</style></head><body>");
    html.append("<h1>Facerender run ").append(escape(run.runId())).append("</h1>");
    html.append("<table id=\"totals\">");
    row(html, "master", run.master());
    row(html, "input frames", Long.toString(run.inputFrames()));
    row(html, "rendered frames", Long.toString(run.renderedFrames()));
    row(html, "rejected frames", Long.toString(run.errorFrames()));
    row(html, "batches", Integer.toString(run.batches().size()));
    row(html, "OOMs / splits", run.ooms() + " / " + run.splits());
    row(html, "render job wall time", fmt("%.2f s", run.renderWallNanos() / 1e9));
    row(html, "job frames/s", fmt("%.1f", run.framesPerSecond()));
    row(html, "model-only frames/s per task", fmt("%.1f", run.renderOnlyFramesPerSecond()));
    html.append("</table>");
    samples(html, run, spark);
    batches(html, run.batches());
    errors(html, run.errors());
    html.append("</body></html>\n");
    return html.toString();
  }

  private static void samples(StringBuilder html, RunSummary run, SparkSession spark) {
    List<Row> rows =
        spark
            .read()
            .parquet(run.out() + "/frames")
            .where(col("run_id").equalTo(run.runId()))
            .where(col("format").isin("png", "jpeg"))
            .where(col("frame_index").isin(0, 6, 12, 18))
            .orderBy(col("clip_id"), col("frame_index"))
            .limit(SAMPLE_CLIPS * 4)
            .select("clip_id", "frame_index", "format", "image")
            .collectAsList();
    html.append("<h2>Sample frames</h2><div class=\"frames\" id=\"samples\">");
    for (Row r : rows) {
      html.append("<img alt=\"")
          .append(escape(r.getString(0)))
          .append(" frame ")
          .append(r.getInt(1))
          .append("\" title=\"")
          .append(escape(r.getString(0)))
          .append(" #")
          .append(r.getInt(1))
          .append("\" src=\"data:image/")
          .append(r.getString(2))
          .append(";base64,")
          .append(Base64.getEncoder().encodeToString((byte[]) r.get(3)))
          .append("\">");
    }
    html.append("</div>");
  }

  private static void batches(StringBuilder html, List<BatchMetrics> batches) {
    html.append("<h2>Batches</h2><table id=\"batches\"><tr><th>partition</th><th>seq</th>")
        .append("<th>device</th><th>planned</th><th>ceiling</th><th>actual</th><th>frames</th>")
        .append("<th>OOMs</th><th>splits</th><th>decode ms</th><th>render ms</th>")
        .append("<th>encode ms</th><th>frames/s</th></tr>");
    for (BatchMetrics b : batches.subList(0, Math.min(200, batches.size()))) {
      html.append("<tr><td>")
          .append(b.partition())
          .append("</td><td>")
          .append(b.batchSeq())
          .append("</td><td>")
          .append(escape(b.device()))
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

  private static void errors(StringBuilder html, List<FrameError> errors) {
    html.append("<h2>Rejected rows (").append(errors.size()).append(")</h2>");
    if (errors.isEmpty()) {
      return;
    }
    html.append("<table id=\"errors\"><tr><th>clip</th><th>frame</th><th>stage</th>")
        .append("<th>code</th><th>message</th></tr>");
    for (FrameError e : errors.subList(0, Math.min(100, errors.size()))) {
      html.append("<tr><td>")
          .append(escape(String.valueOf(e.clipId())))
          .append("</td><td>")
          .append(e.frameIndex())
          .append("</td><td>")
          .append(escape(e.stage()))
          .append("</td><td>")
          .append(escape(e.code()))
          .append("</td><td style=\"text-align:left\">")
          .append(escape(e.message()))
          .append("</td></tr>");
    }
    html.append("</table>");
  }

  private static void row(StringBuilder html, String name, String value) {
    html.append("<tr><th>")
        .append(escape(name))
        .append("</th><td>")
        .append(escape(value))
        .append("</td></tr>");
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
