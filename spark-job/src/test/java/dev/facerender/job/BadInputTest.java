package dev.facerender.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.io.DemoFaces;
import dev.facerender.io.InputException;
import dev.facerender.io.Schemas;
import dev.facerender.metrics.FrameError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/** Bad rows end in errors/ with a code and a message; nothing is lost or duplicated. */
class BadInputTest {
  private static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("local[2]");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void everyBadRowBecomesOneErrorRowAndEveryGoodRowOneFrame() {
    byte[] face = DemoFaces.png(1, 0, 32);
    List<Row> sources = new ArrayList<>();
    sources.add(RowFactory.create("good", face));
    sources.add(RowFactory.create("empty", new byte[0]));
    sources.add(RowFactory.create("text", "not an image".getBytes()));
    sources.add(RowFactory.create("truncated", Arrays.copyOf(face, face.length / 2)));
    sources.add(RowFactory.create("twice", face));
    sources.add(RowFactory.create("twice", face));
    List<Row> frames = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      frames.add(frame("good", i, coeffs(70, 0f)));
    }
    frames.add(frame("good", 3, coeffs(70, 0f)));
    frames.add(frame("good", -1, coeffs(70, 0f)));
    frames.add(frame("good", 7, coeffs(12, 0f)));
    frames.add(frame("good", 8, coeffs(70, Float.NaN)));
    frames.add(frame("good", 9, coeffs(70, Float.POSITIVE_INFINITY)));
    frames.add(frame("good", 10, null));
    frames.add(frame("good", null, coeffs(70, 0f)));
    frames.add(frame(null, 11, coeffs(70, 0f)));
    frames.add(frame("orphan", 0, coeffs(70, 0f)));
    frames.add(frame("empty", 0, coeffs(70, 0f)));
    frames.add(frame("text", 0, coeffs(70, 0f)));
    frames.add(frame("truncated", 0, coeffs(70, 0f)));
    frames.add(frame("twice", 0, coeffs(70, 0f)));
    Path input = dir.resolve("bad");
    spark
        .createDataFrame(sources, Schemas.SOURCES)
        .write()
        .parquet(input.resolve("sources").toString());
    spark
        .createDataFrame(frames, Schemas.FRAMES)
        .write()
        .parquet(input.resolve("frames").toString());

    RunSummary run =
        LocalSpark.render(
            spark, input, dir.resolve("out"), Map.of("spark.facerender.maxErrorRate", "1"));

    assertThat(run.inputFrames()).isEqualTo(frames.size());
    assertThat(run.renderedFrames() + run.errorFrames()).isEqualTo(frames.size());
    assertThat(LocalSpark.frames(spark, dir.resolve("out"))).hasSize(4);
    Map<String, String> codes =
        run.errors().stream()
            .collect(
                Collectors.toMap(
                    e -> e.clipId() + "#" + e.frameIndex(),
                    FrameError::code,
                    (a, b) -> a + "," + b));
    assertThat(codes)
        .containsEntry("good#3", "DUPLICATE_FRAME")
        .containsEntry("good#-1", "NEGATIVE_FRAME_INDEX")
        .containsEntry("good#7", "BAD_COEFF_COUNT")
        .containsEntry("good#8", "NON_FINITE_COEFF")
        .containsEntry("good#9", "NON_FINITE_COEFF")
        .containsEntry("good#10", "MISSING_COEFFS")
        .containsEntry("good#null", "MISSING_FRAME_INDEX")
        .containsEntry("null#11", "MISSING_CLIP_ID")
        .containsEntry("orphan#0", "NO_SOURCE")
        .containsEntry("empty#0", "SOURCE_EMPTY")
        .containsEntry("text#0", "SOURCE_NOT_IMAGE")
        .containsEntry("truncated#0", "SOURCE_CORRUPT")
        .containsEntry("twice#0", "DUPLICATE_SOURCE");
    assertThat(run.errors())
        .filteredOn(e -> e.code().equals("BAD_COEFF_COUNT"))
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("12 coefficients").contains("expects 70"));
    assertThat(spark.read().parquet(dir.resolve("out").resolve("errors").toString()).count())
        .isEqualTo(run.errorFrames());
  }

  @Test
  void aMissingOrMistypedColumnStopsTheRunBeforeAnyTaskNamingIt() {
    Path input = dir.resolve("schema");
    StructType wrong =
        new StructType()
            .add("clip_id", DataTypes.StringType)
            .add("frame_index", DataTypes.StringType)
            .add("coeffs", DataTypes.createArrayType(DataTypes.FloatType));
    spark
        .createDataFrame(List.of(RowFactory.create("a", "zero", seq(coeffs(70, 0f)))), wrong)
        .write()
        .parquet(input.resolve("frames").toString());
    spark
        .createDataFrame(List.of(RowFactory.create("a", DemoFaces.png(1, 0, 32))), Schemas.SOURCES)
        .write()
        .parquet(input.resolve("sources").toString());

    assertThatThrownBy(() -> LocalSpark.render(spark, input, dir.resolve("schema-out"), Map.of()))
        .isInstanceOf(InputException.class)
        .hasMessageContaining("column 'frame_index' is string, wanted int");
  }

  private static Row frame(String clip, Integer index, List<Float> coeffs) {
    return RowFactory.create(clip, index, coeffs == null ? null : seq(coeffs));
  }

  private static scala.collection.immutable.Seq<Float> seq(List<Float> values) {
    return CollectionConverters.asScala(values).toList();
  }

  private static List<Float> coeffs(int n, float last) {
    List<Float> values = new ArrayList<>(Collections.nCopies(n, 0f));
    values.set(n - 1, last);
    return values;
  }
}
