package dev.facerender.report;

import dev.facerender.concurrent.Futures;
import dev.facerender.job.MetricsDigest;
import dev.facerender.job.RunSummary;
import dev.facerender.metrics.SampledFrame;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;

/**
 * A self-contained HTML report of a render: totals, charts, sample frames, an animated preview,
 * batches and errors. Every picture is a data: URI, so the file opens offline and can be mailed.
 */
public final class HtmlReport {
  private static final int SHEET_COLUMNS = ReportSample.SHEET_COLUMNS;
  private static final int THUMBNAIL = 128;
  private static final int PREVIEW_SIDE = 128;
  // 25 frames/s, the rate SadTalker writes its videos at.
  private static final int PREVIEW_DELAY_MILLIS = 40;

  /**
   * Marks each picture the browser decoded ({@code data-loaded}) and counts them on the body
   * ({@code data-images="loaded/all"}), so a headless browser can tell a broken picture apart.
   */
  private static final String MARK_LOADED =
      "<script>window.addEventListener('load',function(){var im=document.images,n=0;"
          + "for(var i=0;i<im.length;i++){if(im[i].complete&&im[i].naturalWidth>0)"
          + "{im[i].setAttribute('data-loaded','');n++;}}"
          + "document.body.setAttribute('data-images',n+'/'+im.length);});</script>";

  private HtmlReport() {}

  public static String render(RunSummary run) {
    return render(run, null);
  }

  /** With the first clip's video when the run made videos ({@code hadoop} reads its manifest). */
  public static String render(RunSummary run, Configuration hadoop) {
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>Facerender run ")
        .append(escape(run.runId()))
        .append("</title><style>")
        .append("body{font-family:sans-serif;margin:2em;color:#222}")
        .append("table{border-collapse:collapse;margin:1em 0}")
        .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
        .append("th{background:#f3f3f3}figure{display:inline-block;margin:0 1em 1em 0}")
        .append("figure img{max-width:100%;border:1px solid #ddd}")
        .append("figcaption{color:#555;font-size:90%}.warn{color:#a40}")
        .append("</style></head><body>");
    html.append("<h1>Facerender run ").append(escape(run.runId())).append("</h1>");
    html.append("<table id=\"totals\">");
    row(html, "master", run.master());
    if (!run.device().isEmpty()) {
      // The reason starts with the device(s): "cuda:0: GPU natives, 1 GPU seen".
      row(html, "device", run.deviceReason().isEmpty() ? run.device() : run.deviceReason());
    }
    row(html, "input frames", Long.toString(run.inputFrames()));
    row(html, "rendered frames", Long.toString(run.renderedFrames()));
    row(html, "rejected frames", Long.toString(run.errorFrames()));
    row(html, "batches", Long.toString(run.batchCount()));
    row(html, "OOMs / splits", run.ooms() + " / " + run.splits());
    row(html, "render job wall time", fmt("%.2f s", run.renderWallNanos() / 1e9));
    row(html, "job frames/s", fmt("%.1f", run.framesPerSecond()));
    row(html, "model-only frames/s per task", fmt("%.1f", run.renderOnlyFramesPerSecond()));
    MetricsDigest digest = run.metrics();
    row(
        html,
        "decode / render / encode, all tasks",
        fmt(
            "%.2f / %.2f / %.2f s",
            digest.total("decode_nanos") / 1e9,
            digest.total("render_nanos") / 1e9,
            digest.total("encode_nanos") / 1e9));
    html.append("</table>");
    html.append("<p id=\"batch-sample\">Totals, the all-tasks line and the time split count")
        .append(" every batch (metrics.json's totals, time bins and task rows); the marks of")
        .append(" single batches and the batch table show ")
        .append(escape(digest.sampleNote()))
        .append(".</p>");
    // The frame sheets and the charts are drawn at once, on two cores: the report is the run's
    // last step, and nothing else is running by then.
    CompletableFuture<String> frames =
        CompletableFuture.supplyAsync(
            () -> {
              StringBuilder part = new StringBuilder();
              frames(part, run);
              return part.toString();
            });
    ReportCharts.append(html, digest);
    html.append(Futures.join(frames));
    if (hadoop != null) {
      ReportVideo.append(html, run, hadoop);
    }
    ReportTables.batches(html, run.batches(), digest.sampleLabel());
    ReportTables.errors(html, run.errors());
    html.append(MARK_LOADED).append("</body></html>\n");
    return html.toString();
  }

  private static void frames(StringBuilder html, RunSummary run) {
    html.append("<h2>Frames</h2>");
    if (run.renderedFrames() == 0 || run.samples().isEmpty()) {
      html.append("<p>No frame was rendered.</p>");
      return;
    }
    try {
      List<SampledFrame> sampled = new ArrayList<>(run.samples());
      sampled.sort(
          Comparator.comparing(SampledFrame::clipId).thenComparingInt(SampledFrame::frameIndex));
      Map<String, List<Integer>> sheet = new TreeMap<>();
      for (SampledFrame f : sampled) {
        sheet.computeIfAbsent(f.clipId(), c -> new ArrayList<>()).add(f.frameIndex());
      }
      String previewClip = sampled.get(0).clipId();
      int previewEnd = sampled.get(0).frameIndex() + ReportSample.PREVIEW_FRAMES;
      List<FrameImages.Tile> tiles = new ArrayList<>();
      List<BufferedImage> clipFrames = new ArrayList<>();
      for (Map.Entry<String, List<Integer>> clip : sheet.entrySet()) {
        List<Integer> indexes = clip.getValue();
        clip.setValue(ReportSample.sheet(indexes.get(0), indexes.get(indexes.size() - 1)));
      }
      for (SampledFrame f : sampled) {
        boolean onSheet = sheet.get(f.clipId()).contains(f.frameIndex());
        boolean inPreview = f.clipId().equals(previewClip) && f.frameIndex() < previewEnd;
        if (!onSheet && !inPreview) {
          continue;
        }
        BufferedImage image = FrameImages.decode(f.format(), f.width(), f.height(), f.image());
        if (onSheet) {
          tiles.add(new FrameImages.Tile(f.clipId() + " #" + f.frameIndex(), image));
        }
        if (inPreview) {
          clipFrames.add(image);
        }
      }
      figure(
          html,
          "contact-sheet",
          "image/png",
          FrameImages.contactSheet(tiles, SHEET_COLUMNS, THUMBNAIL),
          "Frames spread evenly over each of the first "
              + sheet.size()
              + " clips (a sample chosen before the render; all frames are in frames/).");
      figure(
          html,
          "preview",
          "image/gif",
          FrameImages.animatedGif(clipFrames, PREVIEW_SIDE, PREVIEW_DELAY_MILLIS),
          "Clip " + previewClip + ", " + clipFrames.size() + " frames in order, looping.");
    } catch (RuntimeException e) {
      // The frames are written already; a preview that fails must not fail the run.
      html.append("<p class=\"warn\">Frame previews are unavailable: ")
          .append(escape(String.valueOf(e.getMessage())))
          .append("</p>");
    }
  }

  static void figure(StringBuilder html, String id, String mime, byte[] image, String caption) {
    html.append("<figure><img id=\"")
        .append(id)
        .append("\" alt=\"")
        .append(escape(caption))
        .append("\" src=\"")
        .append(Charts.dataUri(mime, image))
        .append("\"><figcaption>")
        .append(escape(caption))
        .append("</figcaption></figure>");
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

  /** Text for HTML content and attribute values. */
  public static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
