package dev.facerender.schedule.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.io.InputException;
import dev.facerender.io.ParquetTable;
import dev.facerender.io.Schemas;
import dev.facerender.job.RenderRequest;
import dev.facerender.run.LocalSpark;
import dev.facerender.schedule.ClipPartitions;
import dev.facerender.schedule.RunInput;
import dev.facerender.schedule.Waves;
import dev.facerender.schedule.spark.RenderInput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The local engine reads what Spark reads: the schema Spark infers and, for frames written with
 * wider types (long indexes, double coefficients) in either Parquet list layout, the same rows as
 * the Spark engine's stream after its casts.
 */
class LocalInputTest {
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

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void wideTypesInEitherListLayoutReadAsSparksCastsGiveThem(boolean legacyLayout) {
    StructType wide =
        new StructType()
            .add("clip_id", DataTypes.StringType)
            .add("frame_index", DataTypes.LongType)
            .add("coeffs", DataTypes.createArrayType(DataTypes.DoubleType, true));
    List<Row> frames = new ArrayList<>();
    frames.add(RowFactory.create("a", 0L, LocalSpark.seq(List.of(0.5, -1.25, 3.0e-3))));
    frames.add(RowFactory.create("a", 1L, LocalSpark.seq(Arrays.asList(1.0, null))));
    frames.add(RowFactory.create("b", 7L, LocalSpark.seq(List.of())));
    frames.add(RowFactory.create("b", null, null));
    frames.add(RowFactory.create(null, 2L, LocalSpark.seq(List.of(2.0))));
    Path input = dir.resolve("wide-" + legacyLayout);
    spark.conf().set("spark.sql.parquet.writeLegacyFormat", Boolean.toString(legacyLayout));
    try {
      spark.createDataFrame(frames, wide).write().parquet(input.resolve("frames").toString());
      spark
          .createDataFrame(
              List.of(
                  RowFactory.create("a", new byte[] {1, 2}), RowFactory.create("b", new byte[0])),
              Schemas.SOURCES)
          .write()
          .parquet(input.resolve("sources").toString());
    } finally {
      spark.conf().unset("spark.sql.parquet.writeLegacyFormat");
    }
    RenderRequest request = request(input);
    LocalInput local = local(request);
    RenderInput viaSpark = new RenderInput(spark, request);

    assertThat(local.framesSchema().simpleString())
        .isEqualTo(viaSpark.framesSchema().simpleString());
    assertThat(local.sourcesSchema().simpleString())
        .isEqualTo(viaSpark.sourcesSchema().simpleString());
    assertThat(normalized(local.rows(0, 1, null)))
        .containsExactlyInAnyOrderElementsOf(normalized(viaSpark.stream(false).collectAsList()));
    // A video run's rows: sources with their audio (none here) and their clip's frame count.
    assertThat(normalized(local.rows(0, 1, local.counts())))
        .containsExactlyInAnyOrderElementsOf(normalized(viaSpark.stream(true).collectAsList()));
    // Counted as Spark counts them, each clip with the hash that places it in its wave.
    Map<String, ClipPartitions.ClipFrames> clips = local.counts().clips();
    assertThat(clips).isEqualTo(viaSpark.counts().clips());
    assertThat(local.counts().total()).isEqualTo(viaSpark.counts().total());
    assertThat(clips.get("a").frames()).isEqualTo(2);
    assertThat(clips.get("a").last()).isEqualTo(1);
    assertThat(clips.get("b").frames()).isEqualTo(2);
    assertThat(clips.get("b").first()).isEqualTo(7);
    assertThat(clips).doesNotContainKey(null);
  }

  /** A frame index past 32 bits stops either engine's count, naming the table and the value. */
  @Test
  void anIndexBeyond32BitsIsRefusedByBothEnginesCounts() {
    StructType wide =
        new StructType()
            .add("clip_id", DataTypes.StringType)
            .add("frame_index", DataTypes.LongType)
            .add("coeffs", DataTypes.createArrayType(DataTypes.FloatType));
    Path input = dir.resolve("too-wide");
    spark
        .createDataFrame(
            List.of(
                RowFactory.create("a", 0L, LocalSpark.seq(List.of(1f))),
                RowFactory.create("a", 3_000_000_000L, LocalSpark.seq(List.of(1f)))),
            wide)
        .write()
        .parquet(input.resolve("frames").toString());
    spark
        .createDataFrame(List.of(RowFactory.create("a", new byte[] {1})), Schemas.SOURCES)
        .write()
        .parquet(input.resolve("sources").toString());
    RenderRequest request = request(input);
    LocalInput local = local(request);
    for (RunInput engine : List.of(local, new RenderInput(spark, request))) {
      assertThatThrownBy(engine::counts)
          .isInstanceOf(InputException.class)
          .hasMessageContaining(request.frames())
          .hasMessageContaining("frame_index 3000000000")
          .hasMessageContaining("below 2^31");
    }
  }

  /** A render of the frames and sources tables under {@code input}. */
  private static RenderRequest request(Path input) {
    return new RenderRequest(
        input.resolve("frames").toString(),
        input.resolve("sources").toString(),
        dir.resolve("unused").toString(),
        null,
        "error-if-exists",
        0,
        Map.of());
  }

  private static LocalInput local(RenderRequest request) {
    Configuration conf = new Configuration();
    return new LocalInput(
        ParquetTable.open(request.frames(), conf), ParquetTable.open(request.sources(), conf));
  }

  /** Waves computed here put each clip where Spark's hash() puts it, so either engine resumes. */
  @Test
  void eachWaveHoldsTheRowsSparkPutsInIt() {
    List<Row> sources = new ArrayList<>();
    List<Row> frames = new ArrayList<>();
    List<String> clips =
        new ArrayList<>(List.of("", "a", "clip-0007", "ünï/cødé ✓", "x".repeat(70)));
    for (int i = 0; i < 40; i++) {
      clips.add("c" + i);
    }
    for (String clip : clips) {
      sources.add(RowFactory.create(clip, new byte[] {7}));
      frames.add(RowFactory.create(clip, 0, LocalSpark.seq(List.of(1f))));
    }
    frames.add(RowFactory.create(null, 3, LocalSpark.seq(List.of(2f))));
    Path input =
        LocalSpark.writeInput(spark, dir.resolve("waves"), sources, Schemas.SOURCES, frames);
    RenderRequest request =
        LocalSpark.request(input, dir.resolve("unused"), "error-if-exists", Map.of());
    Configuration conf = new Configuration();
    LocalInput local =
        new LocalInput(
            ParquetTable.open(request.frames(), conf), ParquetTable.open(request.sources(), conf));
    RenderInput viaSpark = new RenderInput(spark, request);
    int waves = 3;
    int total = 0;
    for (int wave = 0; wave < waves; wave++) {
      List<Row> mine = local.rows(wave, waves, null);
      total += mine.size();
      assertThat(normalized(mine))
          .as("wave %d", wave)
          .containsExactlyInAnyOrderElementsOf(
              normalized(
                  viaSpark.stream(false).where(Waves.of(waves).equalTo(wave)).collectAsList()));
    }
    assertThat(total).isEqualTo(sources.size() + frames.size());
  }

  /** Rows as comparable lists: arrays as Java lists, bytes as lists. */
  private static List<List<Object>> normalized(List<Row> rows) {
    List<List<Object>> result = new ArrayList<>();
    for (Row row : rows) {
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < row.length(); i++) {
        Object value = row.get(i);
        if (value instanceof scala.collection.Seq<?> seq) {
          value = new ArrayList<>(scala.jdk.javaapi.CollectionConverters.asJava(seq));
        } else if (value instanceof byte[] bytes) {
          value = Arrays.toString(bytes);
        }
        values.add(value);
      }
      result.add(values);
    }
    return result;
  }
}
