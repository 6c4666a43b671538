package dev.facerender.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.facerender.diagnostics.ModelProbe;
import dev.facerender.model.BuiltinModels;
import dev.facerender.report.HtmlReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sizing benchmark, small: both built-ins under one CPU budget, the seed's rule, the plan and
 * the largest fitting batch side by side in benchmark.json and benchmark.html, each with its VALID
 * flag. Speeds are not judged here.
 */
class SizingBenchmarkTest {
  private static final String REFERENCE = BuiltinModels.SADTALKER_ARCH + "?width=0.03125";
  private static final List<String> FIGURES =
      List.of("seed's rule", "Facerender's plan", "largest that fits");

  @TempDir Path dir;

  @Test
  void bothModelsShowTheThreeBatchesSideBySideWithValidFlags() throws Exception {
    SizingBenchmark.Result r =
        SizingBenchmark.run(
            new SizingBenchmark.Request(
                dir,
                List.of(BuiltinModels.WARP, REFERENCE),
                128,
                List.of(1, 2),
                2,
                0,
                1,
                Map.of(
                    // Binds for both: the reference network near 3 frames at 128 px (half a
                    // second each on 2 cores, so the budget is kept small), the warp near 75.
                    "spark.facerender.cpuMemory", "60MiB",
                    // Above level high's cap of 256, so the search is free to go past it.
                    "spark.facerender.maxBatch", "1024",
                    "spark.facerender.level", "high",
                    "spark.facerender.calibrationCache", "none",
                    "spark.facerender.calibrationSeconds", "60")));

    assertThat(r.models())
        .extracting(SizingBenchmark.ModelResult::model)
        .containsExactly(BuiltinModels.WARP, REFERENCE);
    for (SizingBenchmark.ModelResult m : r.models()) {
      assertThat(m.sideBySide()).extracting(SizingBenchmark.Figure::name).isEqualTo(FIGURES);
      int largest = m.sideBySide().get(2).batch();
      assertThat(m.fitTrials())
          .as("the search found where the budget binds")
          .anySatisfy(t -> assertThat(t.batch()).isEqualTo(largest))
          .anySatisfy(t -> assertThat(t.fits()).isFalse());
      // The seed's rule: 100 MiB x 0.75 / 0.15 GiB is below one frame, so one frame.
      assertThat(m.sideBySide().get(0).batch()).isEqualTo(1);
      for (SizingBenchmark.Figure f : m.sideBySide()) {
        ModelProbe.Point p = f.measured();
        assertThat(f.valid()).isEqualTo(p.valid());
        assertThat(p.valid()).isEqualTo(p.ooms() == 0 && p.frames() >= 2);
        if (f.batch() > largest) {
          assertThat(f.valid()).as("%s above the largest fit", f.name()).isFalse();
        }
      }
      assertThat(m.byBatch()).extracting(ModelProbe.Point::batch).contains(1, 2);
    }
    assertThat(r.models().get(1).gflopsPerFrame()).isPositive();

    JsonNode json = new ObjectMapper().readTree(dir.resolve("benchmark.json").toFile());
    assertThat(json.get("models")).hasSize(2);
    for (JsonNode model : json.get("models")) {
      assertThat(model.get("sideBySide")).hasSize(3);
      for (int i = 0; i < 3; i++) {
        JsonNode figure = model.get("sideBySide").get(i);
        assertThat(figure.get("name").asText()).isEqualTo(FIGURES.get(i));
        assertThat(figure.get("valid").isBoolean()).isTrue();
        assertThat(figure.get("measured").get("framesPerSecond").isNumber()).isTrue();
      }
    }
    String html = Files.readString(dir.resolve("benchmark.html"));
    assertThat(html)
        .contains(HtmlReport.escape(BuiltinModels.WARP), HtmlReport.escape(REFERENCE))
        .contains(FIGURES.stream().map(HtmlReport::escape).toList())
        .contains("VALID")
        .contains("data:image/png;base64,");
  }
}
