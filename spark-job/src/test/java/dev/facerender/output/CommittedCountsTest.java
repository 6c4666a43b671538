package dev.facerender.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.metrics.FrameError;
import dev.facerender.output.query.RunTables;
import dev.facerender.output.query.TableScan;
import dev.facerender.run.LocalSpark;
import dev.facerender.schedule.local.FileScan;
import dev.facerender.schedule.spark.SparkScan;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The read-back counts on hand-written tables, read by either engine's scan: duplicates, source
 * errors, other runs' rows.
 */
class CommittedCountsTest {
  private static final StructType FRAMES =
      new StructType()
          .add("clip_id", DataTypes.StringType)
          .add("frame_index", DataTypes.IntegerType)
          .add("run_id", DataTypes.StringType)
          .add("png", DataTypes.BinaryType);
  private static final StructType ERRORS =
      new StructType()
          .add("clip_id", DataTypes.StringType)
          .add("frame_index", DataTypes.IntegerType)
          .add("run_id", DataTypes.StringType)
          .add("stage", DataTypes.StringType);

  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("local[2]");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static Stream<Named<TableScan>> scans() {
    return Stream.of(
        Named.of("spark", new SparkScan(spark)),
        Named.of("local", new FileScan(new Configuration())));
  }

  private static String write(Path dir, StructType schema, List<Row> rows) {
    String path = dir.toString();
    spark.createDataFrame(rows, schema).repartition(2).write().parquet(path);
    return path;
  }

  @ParameterizedTest
  @MethodSource("scans")
  void countsRowsKeysAndClipsOfOneRunInOnePass(TableScan scan, @TempDir Path dir) {
    byte[] png = {1};
    String frames =
        write(
            dir.resolve("frames"),
            FRAMES,
            List.of(
                RowFactory.create("a", 0, "r1", png),
                RowFactory.create("a", 1, "r1", png),
                RowFactory.create("a", 1, "r1", png), // a duplicate
                RowFactory.create("b", 0, "r1", png),
                RowFactory.create("a", 2, "r0", png))); // another run's
    String errors =
        write(
            dir.resolve("errors"),
            ERRORS,
            List.of(
                RowFactory.create("a", 2, "r1", "render"),
                RowFactory.create("c", 0, "r1", "validate"),
                RowFactory.create("c", 1, "r1", "validate"),
                RowFactory.create("d", null, "r1", FrameError.SOURCE_ROW),
                RowFactory.create("e", 0, "r0", "render")));

    CommittedCounts counts = new RunTables(scan).counts(frames, errors, null, "r1");

    assertThat(counts.frameRows()).isEqualTo(4);
    assertThat(counts.frameKeys()).isEqualTo(3);
    assertThat(counts.errorRows()).isEqualTo(4);
    assertThat(counts.errorFrames()).isEqualTo(3);
    // a, b (frames) and c (rejected frames); d's source error rejects no frame of its own.
    assertThat(counts.clips()).isEqualTo(3);
    assertThat(counts.frameClips()).isEqualTo(2);
    assertThat(counts.problem(6, "out"))
        .contains("4 frame rows but 3 distinct")
        .contains("1 duplicate");
  }

  @ParameterizedTest
  @MethodSource("scans")
  void aRunWithNoRowsCountsZeroAndMissesEveryInputFrame(TableScan scan, @TempDir Path dir) {
    String frames = write(dir.resolve("frames"), FRAMES, List.of());
    String errors = write(dir.resolve("errors"), ERRORS, List.of());

    CommittedCounts counts = new RunTables(scan).counts(frames, errors, null, "r1");

    assertThat(counts).isEqualTo(new CommittedCounts(0, 0, 0, 0, 0, 0, null));
    assertThat(counts.problem(2, "out")).contains("frames are missing");
  }
}
