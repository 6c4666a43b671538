package dev.facerender.sadtalker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.facerender.codec.RgbImage;
import dev.facerender.io.ParquetTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SadTalker's other modes through export, import and render, each against its own make_animation
 * frames: full (73 coefficients, facerender_still.yaml, the 00109 mapping) with still mode and an
 * expression scale; a 512 px checkpoint; and the stock 256 px network itself, at two frames.
 */
class SadTalkerModesTest {
  @TempDir Path dir;

  @Test
  void fullModeWithStillAndAnExpressionScale() throws IOException {
    Path fixtures =
        fixtures(
            "--preprocess",
            "full",
            "--reduced",
            "--clips",
            "1",
            "--frames",
            "6",
            "--still",
            "--expression-scale",
            "1.3");
    Path model =
        export(
            fixtures,
            "--preprocess",
            "full",
            "--config",
            fixtures.resolve("facerender_still_reduced.yaml").toString());
    JsonNode report = json(Path.of(model + ".json"));
    assertThat(report.get("facerender_flags").toString()).contains("--coeff-count", "73");
    Path input =
        importAndRender(
            fixtures,
            model,
            List.of("--preprocess", "full", "--still", "--expression-scale", "1.3"),
            List.of("--coeff-count", "73"));
    assertImportedRows(fixtures, input);
  }

  @Test
  void a512PixelCheckpointRendersOneFrame() throws IOException {
    Path fixtures = fixtures("--size", "512", "--reduced", "--clips", "1", "--frames", "1");
    Path model =
        export(
            fixtures,
            "--size",
            "512",
            "--check-frames",
            "1",
            "--config",
            fixtures.resolve("facerender_reduced.yaml").toString());
    importAndRender(fixtures, model, List.of("--size", "512"), List.of());
  }

  @Test
  void theStockNetworkAtTwoFrames() throws IOException {
    // SadTalker's own facerender.yaml, full size: ~12 s a frame on a 2-core CPU.
    Path fixtures = fixtures("--clips", "1", "--frames", "2");
    Path model = export(fixtures, "--check-frames", "2");
    importAndRender(fixtures, model, List.of(), List.of());
  }

  private Path fixtures(String... args) {
    Path out = dir.resolve("fixtures");
    List<String> all =
        new ArrayList<>(
            List.of(
                "--sadtalker",
                SadTalkerTools.checkout().toString(),
                "--out",
                out.toString(),
                "--reference"));
    all.addAll(List.of(args));
    SadTalkerTools.tool(SadTalkerTools.python(), 900, "fixtures.py", all.toArray(String[]::new));
    return out;
  }

  private Path export(Path fixtures, String... args) {
    Path model = dir.resolve("sadtalker.pt");
    JsonNode expected = json(fixtures.resolve("expected.json"));
    List<String> all =
        new ArrayList<>(
            List.of(
                "--sadtalker",
                SadTalkerTools.checkout().toString(),
                "--checkpoint",
                fixtures
                    .resolve(expected.get("checkpoints").get("safetensors").asText())
                    .toString(),
                "--out",
                model.toString()));
    all.addAll(List.of(args));
    SadTalkerTools.tool(SadTalkerTools.python(), 900, "export.py", all.toArray(String[]::new));
    return model;
  }

  /** Imports with {@code importFlags}, renders with {@code renderFlags}, checks the frames. */
  private Path importAndRender(
      Path fixtures, Path model, List<String> importFlags, List<String> renderFlags) {
    Path input = dir.resolve("input");
    List<String> importArgs =
        new ArrayList<>(
            List.of(
                "import",
                "sadtalker",
                "--manifest",
                fixtures.resolve("manifest.csv").toString(),
                "--out",
                input.toString()));
    importArgs.addAll(importFlags);
    SadTalkerTools.facerender(importArgs.toArray(String[]::new));
    Path run = dir.resolve("run");
    List<String> render =
        new ArrayList<>(
            List.of(
                "render",
                "--frames",
                input.resolve("frames").toString(),
                "--sources",
                input.resolve("sources").toString(),
                "--model",
                model.toString(),
                "--window-radius",
                "13",
                "--out",
                run.toString()));
    render.addAll(renderFlags);
    SadTalkerTools.facerender(render.toArray(String[]::new));
    JsonNode expected = json(fixtures.resolve("expected.json"));
    Map<String, Map<Integer, RgbImage>> frames = SadTalkerTools.frames(run);
    for (JsonNode clip : expected.get("clips")) {
      List<Path> reference = new ArrayList<>();
      clip.get("reference").forEach(p -> reference.add(fixtures.resolve(p.asText())));
      SadTalkerTools.Agreement agreement =
          SadTalkerTools.against(frames.get(clip.get("clip_id").asText()), reference);
      assertThat(agreement.maxDifference()).as("8-bit levels off").isLessThanOrEqualTo(1);
      assertThat(agreement.worstPsnr()).as("worst frame dB").isGreaterThanOrEqualTo(50);
    }
    return input;
  }

  private static void assertImportedRows(Path fixtures, Path input) {
    JsonNode expected = json(fixtures.resolve("expected.json"));
    Map<String, Map<Integer, float[]>> rows = new HashMap<>();
    ParquetTable.open(input.resolve("frames").toString(), new Configuration())
        .forEach(
            List.of("clip_id", "frame_index", "coeffs"),
            row ->
                rows.computeIfAbsent((String) row[0], k -> new HashMap<>())
                    .put((Integer) row[1], SadTalkerGuideTest.floats(row[2])));
    for (JsonNode clip : expected.get("clips")) {
      Map<Integer, float[]> clipRows = rows.get(clip.get("clip_id").asText());
      JsonNode wanted = clip.get("frame_coeffs");
      assertThat(clipRows).hasSize(wanted.size());
      for (int f = 0; f < wanted.size(); f++) {
        assertThat(clipRows.get(f))
            .as("frame %d", f)
            .hasSize(73)
            .containsExactly(SadTalkerGuideTest.row(wanted.get(f)));
      }
    }
  }

  private static JsonNode json(Path file) {
    try {
      return new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
