package dev.facerender.bench;

import static dev.facerender.report.HtmlReport.escape;

import dev.facerender.diagnostics.ModelProbe;
import dev.facerender.report.Charts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The sizing benchmark's benchmark.html: self-contained, one section per model. */
final class SizingReport {
  private SizingReport() {}

  static String render(SizingBenchmark.Result r) {
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Facerender sizing")
        .append(" benchmark</title><style>body{font-family:sans-serif;max-width:960px;margin:2em")
        .append(" auto}td,th{padding:2px 10px;text-align:left}.invalid{color:#b00}")
        .append("img{max-width:100%}</style></head><body><h1>Facerender sizing benchmark</h1>")
        .append(
            String.format(
                Locale.ROOT,
                "<p>Device %s with a fixed budget of %.1f MiB, %d libtorch threads, level %s,"
                    + " %d px frames. Offline scenario: inputs from seed %d; a point is VALID when"
                    + " it rendered at least %d frames and %.1f s without running out of"
                    + " memory.</p>",
                escape(r.device()),
                r.budgetBytes() / 1048576.0,
                r.torchThreads(),
                escape(r.level()),
                r.frameSize(),
                r.seed(),
                r.minFrames(),
                r.minSeconds()));
    for (SizingBenchmark.ModelResult m : r.models()) {
      model(html, m);
    }
    return html.append("</body></html>\n").toString();
  }

  private static void model(StringBuilder html, SizingBenchmark.ModelResult m) {
    html.append("<h2>").append(escape(m.model())).append("</h2>");
    if (!m.note().isEmpty()) {
      html.append("<p>").append(escape(m.note())).append("</p>");
    }
    html.append(
        String.format(
            Locale.ROOT,
            "<p>%,d parameters%s.</p>",
            m.parameters(),
            m.gflopsPerFrame() > 0
                ? String.format(Locale.ROOT, ", %.1f GFLOPs per frame", m.gflopsPerFrame())
                : ""));
    html.append("<h3>Side by side</h3><table><tr><th>batch from</th><th>batch</th>")
        .append("<th>frames/s</th><th>peak MiB</th><th>frames</th><th>seconds</th>")
        .append("<th>VALID</th><th>note</th></tr>");
    for (SizingBenchmark.Figure f : m.sideBySide()) {
      row(html, f.name(), f.measured());
    }
    html.append("</table><p>Plan: ").append(escape(m.planReason())).append("</p>");
    html.append("<h3>By batch size</h3><table><tr><th></th><th>batch</th><th>frames/s</th>")
        .append("<th>peak MiB</th><th>frames</th><th>seconds</th><th>VALID</th><th>note</th></tr>");
    List<double[]> speeds = new ArrayList<>();
    for (ModelProbe.Point p : m.byBatch()) {
      row(html, "", p);
      if (p.valid()) {
        speeds.add(new double[] {p.batch(), p.framesPerSecond()});
      }
    }
    html.append("</table>");
    Map<String, List<double[]>> marks = new LinkedHashMap<>();
    for (SizingBenchmark.Figure f : m.sideBySide()) {
      if (f.valid()) {
        marks.put(f.name(), List.of(new double[] {f.batch(), f.measured().framesPerSecond()}));
      }
    }
    if (!speeds.isEmpty()) {
      html.append("<img alt=\"frames/s by batch size\" src=\"")
          .append(
              Charts.dataUri(
                  Charts.lineWithMarks(
                      "Frames/s by batch size, " + m.model(),
                      "batch",
                      "frames/s",
                      Map.of("VALID points", speeds),
                      marks)))
          .append("\">");
    }
    html.append("<h3>Search for the largest batch that fits</h3><p>");
    for (ModelProbe.Trial t : m.fitTrials()) {
      html.append(t.batch()).append(t.fits() ? " fits" : " out of memory").append("; ");
    }
    html.append("</p>");
  }

  private static void row(StringBuilder html, String name, ModelProbe.Point p) {
    html.append(
        String.format(
            Locale.ROOT,
            "<tr%s><th>%s</th><td>%d</td><td>%s</td><td>%s</td><td>%d</td><td>%.2f</td>"
                + "<td>%s</td><td>%s</td></tr>",
            p.valid() ? "" : " class=\"invalid\"",
            escape(name),
            p.batch(),
            p.frames() > 0 ? String.format(Locale.ROOT, "%.2f", p.framesPerSecond()) : "-",
            p.peakBytes() >= 0
                ? String.format(Locale.ROOT, "%.1f", p.peakBytes() / 1048576.0)
                : "-",
            p.frames(),
            p.seconds(),
            p.valid() ? "VALID" : "INVALID",
            escape(p.note())));
  }
}
