package dev.facerender.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.facerender.job.MetricsDigest;
import dev.facerender.run.LocalSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a real run big enough that metrics.json samples 500 of its 4 800 batches: every
 * aggregate on the page is metrics.json's complete figure (totals, time bins, task rows), not a sum
 * of the sample, which would be nearly 10 times too small.
 */
class HtmlReportTotalsTest {
  // 4 800 one-frame batches; the digest's sample holds the 500 whose identity hashes lowest.
  private static final int CLIPS = 4;
  private static final int FRAMES = 1_200;
  private static final Pattern CELL = Pattern.compile("<t[hd]>(.*?)</t[hd]>");

  private static SparkSession spark;
  @TempDir static Path dir;
  private static String html;
  private static JsonNode metrics;
  private static JsonNode totals;

  @BeforeAll
  static void renderARunOfManyBatches() throws IOException {
    spark = LocalSpark.start("local[2]");
    Path input = LocalSpark.demo(spark, dir, CLIPS, FRAMES, 16);
    Path out = dir.resolve("out");
    LocalSpark.renderLocally(
        input,
        out,
        Map.of("spark.facerender.batchSize", "1", "spark.facerender.framesFormat", "raw"));
    html = Files.readString(out.resolve("report.html"));
    metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    totals = metrics.get("totals");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void theSampleIs500Of4800BatchesAndThePageSaysSo() {
    String sampled = "a sample of " + MetricsDigest.SAMPLE + " of " + CLIPS * FRAMES + " batches";
    assertThat(totals.get("batches").asLong()).isEqualTo(CLIPS * FRAMES);
    assertThat(metrics.get("sample").size()).isEqualTo(MetricsDigest.SAMPLE);
    assertThat(metrics.get("sampleNote").asText()).startsWith(sampled + " (picked by a hash");
    Matcher note = Pattern.compile("<p id=\"batch-sample\">(.*?)</p>").matcher(html);
    assertThat(note.find()).as("the page's note on the sample").isTrue();
    assertThat(note.group(1)).contains(sampled).doesNotContain("one batch in");
    assertThat(caption("Frames per second over time")).contains("single batches (" + sampled + ")");
    assertThat(html).contains("batches of the sample (" + sampled + ")");
  }

  @Test
  void theTotalsAreMetricsJsonsTotals() {
    Map<String, String> shown = new LinkedHashMap<>();
    for (List<String> row : rows("totals")) {
      shown.put(row.get(0), row.get(1));
    }
    double frames = totals.get("frames").asLong();

    assertThat(shown)
        .containsKeys(
            "batches",
            "rendered frames",
            "OOMs / splits",
            "model-only frames/s per task",
            "decode / render / encode, all tasks");
    assertThat(shown.get("batches")).isEqualTo(totals.get("batches").asText());
    assertThat(shown.get("rendered frames")).isEqualTo(totals.get("frames").asText());
    assertThat(shown.get("OOMs / splits"))
        .isEqualTo(totals.get("ooms").asLong() + " / " + totals.get("splits").asLong());
    assertThat(number(shown.get("model-only frames/s per task")))
        .isCloseTo(frames / seconds(totals, "render_nanos"), within(0.05));
    String[] stages = shown.get("decode / render / encode, all tasks").split(" / ");
    assertThat(number(stages[0])).isCloseTo(seconds(totals, "decode_nanos"), within(0.005));
    assertThat(number(stages[1])).isCloseTo(seconds(totals, "render_nanos"), within(0.005));
    assertThat(number(stages[2])).isCloseTo(seconds(totals, "encode_nanos"), within(0.005));
  }

  /** The "all tasks" line: each time bin's frames and rate, and their average over the run. */
  @Test
  void theAllTasksLineIsEveryBatchPerTimeBin() {
    List<List<String>> shown = rows("throughput-bins");
    JsonNode bins = metrics.get("timeBins");
    long first = totals.get("first_start_millis").asLong();
    double span = (totals.get("last_end_millis").asLong() - first) / 1000.0;

    assertThat(shown.size() - 1).as("time bins on the page").isEqualTo(bins.size());
    long frames = 0;
    for (int i = 0; i < bins.size(); i++) {
      JsonNode bin = bins.get(i);
      List<String> row = shown.get(i + 1);
      double from = (bin.get("start_millis").asLong() - first) / 1000.0;
      assertThat(number(row.get(0))).as("bin %d's start", i).isCloseTo(from, within(0.0005));
      assertThat(row.get(2)).as("bin %d's batches", i).isEqualTo(bin.get("batches").asText());
      assertThat(row.get(3)).as("bin %d's frames", i).isEqualTo(bin.get("frames").asText());
      assertThat(number(row.get(4)))
          .as("bin %d's frames/s", i)
          .isCloseTo(
              bin.get("frames").asLong() / (bin.get("width_millis").asLong() / 1000.0),
              within(0.05));
      frames += Long.parseLong(row.get(3));
    }
    assertThat(frames).isEqualTo(totals.get("frames").asLong());
    assertThat(caption("Frames per second over time"))
        .contains(
            String.format(
                Locale.ROOT,
                "(%.1f frames/s on average over the %.2f s",
                totals.get("frames").asLong() / span,
                span));
  }

  /** "Where the time went": each partition's seconds are the sum of its task rows. */
  @Test
  void whereTheTimeWentIsEveryTaskRowsSeconds() {
    Map<String, double[]> expected = new TreeMap<>();
    for (JsonNode task : metrics.get("tasks")) {
      String name =
          task.get("attempt").asInt() == 0
              ? task.get("partition").asText()
              : task.get("partition").asText() + "." + task.get("attempt").asText();
      double[] sum = expected.computeIfAbsent(name, k -> new double[5]);
      sum[0] += task.get("batches").asLong();
      sum[1] += task.get("frames").asLong();
      sum[2] += seconds(task, "decode_nanos");
      sum[3] += seconds(task, "render_nanos");
      sum[4] += seconds(task, "encode_nanos");
    }
    List<List<String>> shown = rows("time-split");

    assertThat(shown.get(0).get(0)).isEqualTo("partition");
    Map<String, List<String>> byName = new TreeMap<>();
    shown.subList(1, shown.size()).forEach(row -> byName.put(row.get(0), row));
    assertThat(byName).containsOnlyKeys(expected.keySet());
    expected.forEach(
        (name, sum) -> {
          List<String> row = byName.get(name);
          assertThat(number(row.get(1))).as("partition %s's batches", name).isEqualTo(sum[0]);
          assertThat(number(row.get(2))).as("partition %s's frames", name).isEqualTo(sum[1]);
          assertThat(number(row.get(3)))
              .as("partition %s's decode s", name)
              .isCloseTo(sum[2], within(0.0006));
          assertThat(number(row.get(4)))
              .as("partition %s's render s", name)
              .isCloseTo(sum[3], within(0.0006));
          assertThat(number(row.get(5)))
              .as("partition %s's encode s", name)
              .isCloseTo(sum[4], within(0.0006));
          assertThat(number(row.get(6)))
              .as("partition %s's model-only frames/s", name)
              .isCloseTo(sum[1] / sum[3], within(0.05));
        });
  }

  /** The rows of the page's table {@code id}, each as its cells' text (headers included). */
  private static List<List<String>> rows(String id) {
    Matcher table =
        Pattern.compile("<table id=\"" + id + "\">(.*?)</table>", Pattern.DOTALL).matcher(html);
    assertThat(table.find()).as("the page's table %s", id).isTrue();
    List<List<String>> rows = new ArrayList<>();
    Matcher row = Pattern.compile("<tr>(.*?)</tr>").matcher(table.group(1));
    while (row.find()) {
      List<String> cells = new ArrayList<>();
      Matcher cell = CELL.matcher(row.group(1));
      while (cell.find()) {
        cells.add(cell.group(1));
      }
      rows.add(cells);
    }
    return rows;
  }

  /** The caption of the page's figure whose caption starts with {@code start}. */
  private static String caption(String start) {
    Matcher caption =
        Pattern.compile("<figcaption>(" + Pattern.quote(start) + ".*?)</figcaption>").matcher(html);
    assertThat(caption.find()).as("the caption '%s...'", start).isTrue();
    return caption.group(1);
  }

  private static double seconds(JsonNode row, String nanos) {
    return row.get(nanos).asLong() / 1e9;
  }

  private static double number(String text) {
    return Double.parseDouble(text.replace(" s", ""));
  }
}
