package dev.facerender.sadtalker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.facerender.codec.RgbImage;
import dev.facerender.io.ParquetTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/sadtalker.md's dry run, command for command, against SadTalker's own code: a reduced face
 * renderer with seeded random weights exported by tools/sadtalker/export.py, SadTalker's .mat files
 * imported, rendered on both engines; every frame within one 8-bit level of what SadTalker's
 * make_animation draws from the same image and coefficients.
 */
class SadTalkerGuideTest {
  private static final Path GUIDE = SadTalkerTools.ROOT.resolve("docs/sadtalker.md");

  @TempDir static Path dir;
  private static String python;
  private static Path work;
  private static JsonNode expected;

  @BeforeAll
  static void runTheGuide() throws IOException {
    Path checkout = SadTalkerTools.checkout();
    python = SadTalkerTools.python();
    work = dir.resolve("work");
    GuideCommands guide =
        GuideCommands.of(
            GUIDE,
            "## A dry run without checkpoints",
            Map.of("SADTALKER", checkout.toString(), "WORK", work.toString()));
    guide.run(python, 600);
    expected = new ObjectMapper().readTree(work.resolve("fixtures/expected.json").toFile());
  }

  @Test
  void theGuidesRenderDrawsMakeAnimationsFrames() {
    assertMatchesReference(work.resolve("run"));
    assertThat(work.resolve("png")).isDirectory();
  }

  @Test
  void theSparkEngineDrawsTheSameFrames() {
    Path run = dir.resolve("spark-run");
    SadTalkerTools.facerender(
        "render",
        "--engine",
        "spark",
        "--frames",
        work.resolve("input/frames").toString(),
        "--sources",
        work.resolve("input/sources").toString(),
        "--model",
        work.resolve("sadtalker.pt").toString(),
        "--window-radius",
        "13",
        "--out",
        run.toString());
    assertMatchesReference(run);
  }

  @Test
  void theImportGivesExactlyTheRowsSadTalkersBatchBuilderFeedsItsRenderer() {
    Map<String, List<float[]>> frames = new HashMap<>();
    ParquetTable.open(work.resolve("input/frames").toString(), new Configuration())
        .forEach(
            List.of("clip_id", "frame_index", "coeffs"),
            row -> {
              List<float[]> clip = frames.computeIfAbsent((String) row[0], k -> new ArrayList<>());
              while (clip.size() <= (Integer) row[1]) {
                clip.add(null);
              }
              clip.set((Integer) row[1], floats(row[2]));
            });
    Map<String, float[]> sources = new HashMap<>();
    ParquetTable.open(work.resolve("input/sources").toString(), new Configuration())
        .forEach(List.of("clip_id", "coeffs"), row -> sources.put((String) row[0], floats(row[1])));
    assertThat(frames).hasSameSizeAs(expected.get("clips"));
    for (JsonNode clip : expected.get("clips")) {
      String id = clip.get("clip_id").asText();
      List<float[]> rows = frames.get(id);
      assertThat(rows).as(id).hasSize(clip.get("frame_coeffs").size());
      for (int f = 0; f < rows.size(); f++) {
        assertThat(rows.get(f))
            .as("%s frame %d", id, f)
            .containsExactly(row(clip.get("frame_coeffs").get(f)));
      }
      assertThat(sources.get(id))
          .as("%s source", id)
          .containsExactly(row(clip.get("source_coeffs")));
    }
  }

  @Test
  void checkpointsInTheOlderFormatExportTheSameModel() throws IOException {
    Path model = dir.resolve("from-pth.pt");
    SadTalkerTools.tool(
        python,
        600,
        "export.py",
        "--sadtalker",
        SadTalkerTools.checkout().toString(),
        "--checkpoint",
        work.resolve("fixtures/checkpoints/facevid2vid_00189-model.pth.tar").toString(),
        "--config",
        work.resolve("fixtures/facerender_reduced.yaml").toString(),
        "--check-frames",
        "3",
        "--out",
        model.toString());
    JsonNode report = new ObjectMapper().readTree(Path.of(model + ".json").toFile());
    assertThat(report.get("passed").asBoolean()).isTrue();
    assertThat(report.get("checkpoint").get("format").asText()).isNotEqualTo("safetensors");
    JsonNode first = new ObjectMapper().readTree(work.resolve("sadtalker.pt.json").toFile());
    assertThat(first.get("checkpoint").get("format").asText()).isEqualTo("safetensors");
    assertThat(Files.size(model)).isPositive();
  }

  private static void assertMatchesReference(Path run) {
    Map<String, Map<Integer, RgbImage>> frames = SadTalkerTools.frames(run);
    assertThat(frames).hasSameSizeAs(expected.get("clips"));
    for (JsonNode clip : expected.get("clips")) {
      List<Path> reference = new ArrayList<>();
      clip.get("reference")
          .forEach(p -> reference.add(work.resolve("fixtures").resolve(p.asText())));
      SadTalkerTools.Agreement agreement =
          SadTalkerTools.against(frames.get(clip.get("clip_id").asText()), reference);
      assertThat(agreement.maxDifference()).as("%s: 8-bit levels off", clip).isLessThanOrEqualTo(1);
      assertThat(agreement.worstPsnr()).as("%s: worst frame dB", clip).isGreaterThanOrEqualTo(50);
    }
  }

  static float[] row(JsonNode values) {
    float[] row = new float[values.size()];
    for (int i = 0; i < row.length; i++) {
      // Written as the shortest decimal that reads back as the float32's double.
      row[i] = (float) values.get(i).asDouble();
    }
    return row;
  }

  static float[] floats(Object list) {
    if (list instanceof float[] f) {
      return f;
    }
    List<?> values =
        list instanceof scala.collection.Seq<?> seq
            ? scala.jdk.javaapi.CollectionConverters.asJava(seq)
            : (List<?>) list;
    float[] row = new float[values.size()];
    for (int i = 0; i < row.length; i++) {
      row[i] = ((Number) values.get(i)).floatValue();
    }
    return row;
  }
}
