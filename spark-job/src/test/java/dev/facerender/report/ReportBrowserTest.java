package dev.facerender.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.facerender.job.RunSummary;
import dev.facerender.run.LocalSpark;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report of a real render, read as bytes and as a headless Chromium shows it. */
class ReportBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final int CLIPS = 2;
  private static final int FRAMES = 24;
  private static final List<String> PICTURES =
      List.of(
          "chart-throughput",
          "chart-batch-size",
          "chart-time-split",
          "chart-throughput-by-size",
          "contact-sheet",
          "preview");
  private static final Pattern IMG = Pattern.compile("<img\\b[^>]*>");
  private static final Pattern ID = Pattern.compile("\\bid=\"([^\"]+)\"");
  private static final Pattern DATA_URI =
      Pattern.compile("src=\"data:(image/[a-z]+);base64,([A-Za-z0-9+/=]+)\"");

  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path report;

  @BeforeAll
  static void renderTheDemo() throws IOException {
    spark = LocalSpark.start("local[2]");
    Path input = LocalSpark.demo(spark, dir, CLIPS, FRAMES, 96);
    Path out = dir.resolve("out");
    RunSummary run = LocalSpark.render(spark, input, out, Map.of("spark.facerender.video", "mp4"));
    report = out.resolve("report.html");

    JsonNode timings = new ObjectMapper().readTree(out.resolve("run.json").toFile()).get("timings");
    double reportSeconds = timings.get("report_seconds").asDouble();
    double renderSeconds = timings.get("render_job_seconds").asDouble();
    System.out.printf(
        Locale.ROOT,
        "report.html (%d KiB) took %.2f s to make: %.0f%% of the %.2f s render job (%d frames"
            + " in %d batches)%n",
        Files.size(report) / 1024,
        reportSeconds,
        100 * reportSeconds / renderSeconds,
        renderSeconds,
        run.renderedFrames(),
        run.batches().size());
    assertThat(reportSeconds).isPositive();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void everyPictureIsEmbeddedAndDecodesAndNothingIsFetched() throws IOException {
    String html = Files.readString(report);

    assertThat(html).doesNotContain("://").doesNotContain("<link").doesNotContain("@import");
    Map<String, BufferedImage> pictures = new LinkedHashMap<>();
    for (String img : tags(html)) {
      Matcher uri = DATA_URI.matcher(img);
      assertThat(uri.find()).as("embedded picture in %s", img.substring(0, 60)).isTrue();
      BufferedImage image =
          ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(uri.group(2))));
      assertThat(image).as("%s decodes", id(img)).isNotNull();
      pictures.put(id(img), image);
    }
    assertThat(pictures).containsOnlyKeys(PICTURES);
    for (String chart : PICTURES.subList(0, 4)) {
      assertThat(pictures.get(chart).getWidth()).isEqualTo(Charts.WIDTH);
      assertThat(ChartsTest.colours(pictures.get(chart))).as(chart).isGreaterThan(10);
    }
    // Two rows of six 96 px frames.
    assertThat(pictures.get("contact-sheet").getWidth()).isEqualTo(6 + 6 * (96 + 6));
    assertThat(pictures.get("contact-sheet").getHeight()).isEqualTo(6 + CLIPS * (96 + 16 + 6));
    assertThat(gifFrames(html)).isEqualTo(FRAMES);
  }

  @Test
  void chromiumShowsEveryPicture() throws Exception {
    assumeThat(Files.isExecutable(CHROMIUM)).as("%s is installed", CHROMIUM).isTrue();

    String dom = dumpDom(report);

    assertThat(dom).contains("data-images=\"" + PICTURES.size() + "/" + PICTURES.size() + "\"");
    assertThat(loaded(dom)).containsExactlyElementsOf(PICTURES);
  }

  /** The first clip's MP4 is embedded and the browser reads its duration: 24 frames at 25 fps. */
  @Test
  void chromiumLoadsTheFirstClipsVideoWithItsDuration() throws Exception {
    assumeThat(Files.isExecutable(CHROMIUM)).as("%s is installed", CHROMIUM).isTrue();
    assertThat(Files.readString(report)).contains("<video id=\"video\"", "data:video/mp4;base64,");

    String dom = dumpDom(report);

    Matcher duration = Pattern.compile("data-video-duration=\"([0-9.]+)\"").matcher(dom);
    assertThat(duration.find()).as("video metadata loaded; body: %s", bodyTag(dom)).isTrue();
    assertThat(Double.parseDouble(duration.group(1))).isCloseTo(FRAMES / 25.0, within(1e-3));
  }

  /** A video that cannot play is told apart: the check above can fail. */
  @Test
  void chromiumReportsABrokenVideo() throws Exception {
    assumeThat(Files.isExecutable(CHROMIUM)).as("%s is installed", CHROMIUM).isTrue();
    String html = Files.readString(report);
    int data = html.indexOf("data:video/mp4;base64,") + "data:video/mp4;base64,".length();
    int end = html.indexOf('"', data);
    Path broken = dir.resolve("broken-video.html");
    Files.writeString(broken, html.substring(0, data) + "AAAAAAAA" + html.substring(end));

    String dom = dumpDom(broken);

    assertThat(bodyTag(dom)).doesNotContain("data-video-duration=").contains("data-video-error=");
  }

  private static String bodyTag(String dom) {
    int body = dom.indexOf("<body");
    return body < 0 ? "(none)" : dom.substring(body, dom.indexOf('>', body) + 1);
  }

  /** The check above can fail: one corrupt picture is told apart from the rest. */
  @Test
  void chromiumTellsABrokenPictureApart() throws Exception {
    assumeThat(Files.isExecutable(CHROMIUM)).as("%s is installed", CHROMIUM).isTrue();
    String html = Files.readString(report);
    int preview = html.indexOf("id=\"preview\"");
    int data = html.indexOf(";base64,", preview) + ";base64,".length();
    Path broken = dir.resolve("broken.html");
    Files.writeString(broken, html.substring(0, data) + "AAAA" + html.substring(data + 4));

    String dom = dumpDom(broken);

    assertThat(dom).contains("data-images=\"5/6\"");
    assertThat(loaded(dom)).containsExactlyElementsOf(PICTURES.subList(0, 5));
  }

  private static String dumpDom(Path html) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(dir, "chromium");
    Path stdout = dir.resolve("dom-" + System.nanoTime() + ".html");
    Path stderr = dir.resolve("chromium-" + System.nanoTime() + ".log");
    Process chromium =
        new ProcessBuilder(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--no-first-run",
                "--user-data-dir=" + profile,
                // Lets media metadata load before the DOM is dumped.
                "--virtual-time-budget=10000",
                "--dump-dom",
                html.toUri().toString())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    if (!chromium.waitFor(120, TimeUnit.SECONDS)) {
      chromium.destroyForcibly();
      throw new AssertionError("Chromium did not finish in 120 s: " + Files.readString(stderr));
    }
    assertThat(chromium.exitValue())
        .as("chromium exit, log: %s", Files.readString(stderr))
        .isZero();
    return Files.readString(stdout);
  }

  private static List<String> loaded(String dom) {
    return tags(dom).stream().filter(t -> t.contains("data-loaded")).map(t -> id(t)).toList();
  }

  private static List<String> tags(String html) {
    List<String> tags = new ArrayList<>();
    Matcher m = IMG.matcher(html);
    while (m.find()) {
      tags.add(m.group());
    }
    return tags;
  }

  private static String id(String img) {
    Matcher m = ID.matcher(img);
    return m.find() ? m.group(1) : "(no id)";
  }

  private static int gifFrames(String html) throws IOException {
    Matcher m = DATA_URI.matcher(html.substring(html.indexOf("id=\"preview\"")));
    assertThat(m.find()).isTrue();
    assertThat(m.group(1)).isEqualTo("image/gif");
    ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
    try (ImageInputStream in =
        ImageIO.createImageInputStream(
            new ByteArrayInputStream(Base64.getDecoder().decode(m.group(2))))) {
      reader.setInput(in);
      return reader.getNumImages(true);
    } finally {
      reader.dispose();
    }
  }
}
