package dev.facerender.report;

import dev.facerender.io.ParquetTable;
import dev.facerender.job.RunSummary;
import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The report's video: the first clip's MP4 in a {@code <video>} element, embedded so the report
 * stays one file (linked beside it when larger than {@link #EMBED_LIMIT}). A script marks the page
 * with the duration the browser read, so a headless browser can check the file plays.
 */
final class ReportVideo {
  private static final long EMBED_LIMIT = 32L << 20;
  private static final List<String> COLUMNS =
      List.of("run_id", "clip_id", "file", "frames", "fps", "duration_seconds", "encoder", "audio");

  private ReportVideo() {}

  static void append(StringBuilder html, RunSummary run, Configuration hadoop) {
    try {
      Path manifest = new Path(run.out(), "videos_manifest");
      FileSystem fs = manifest.getFileSystem(hadoop);
      if (!fs.exists(manifest)) {
        return;
      }
      html.append("<h2>Video</h2>");
      // The run's first clip by id: one small record per clip, read in this JVM.
      Object[][] first = {null};
      ParquetTable table = ParquetTable.open(manifest.toString(), hadoop);
      if (table != null) {
        table.forEach(
            COLUMNS,
            v -> {
              if (run.runId().equals(v[0])
                  && (first[0] == null || ((String) v[1]).compareTo((String) first[0][1]) < 0)) {
                first[0] = v;
              }
            });
      }
      if (first[0] == null) {
        html.append("<p>No clip made a video.</p>");
        return;
      }
      Object[] video = first[0];
      String file = (String) video[2];
      Path path = new Path(run.out(), file);
      String src;
      if (fs.getFileStatus(path).getLen() <= EMBED_LIMIT) {
        try (InputStream in = fs.open(path)) {
          src = "data:video/mp4;base64," + Base64.getEncoder().encodeToString(in.readAllBytes());
        }
      } else {
        // Clip ids are percent-encoded in file names; a URL needs the percent signs escaped.
        src = file.replace("%", "%25");
      }
      String caption =
          String.format(
              Locale.ROOT,
              "Clip %s: %d frames at %s fps, %.3f s, %s; audio: %s.",
              video[1],
              video[3],
              video[4],
              video[5],
              video[6],
              video[7]);
      html.append("<figure><video id=\"video\" controls muted playsinline preload=\"auto\" src=\"")
          .append(src)
          .append("\"></video><figcaption>")
          .append(HtmlReport.escape(caption))
          .append("</figcaption></figure>")
          .append("<script>(function(){var v=document.getElementById('video');")
          .append("v.addEventListener('loadedmetadata',function(){document.body")
          .append(".setAttribute('data-video-duration',v.duration);});")
          .append("v.addEventListener('error',function(){document.body")
          .append(".setAttribute('data-video-error',v.error?v.error.code:'?');});})();</script>");
    } catch (IOException | RuntimeException e) {
      // The videos are committed already; a report that cannot show one must not fail the run.
      html.append("<p class=\"warn\">The video preview is unavailable: ")
          .append(HtmlReport.escape(String.valueOf(e.getMessage())))
          .append("</p>");
    }
  }
}
