package dev.facerender.output.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.facerender.io.ParquetRowWriter;
import dev.facerender.io.Schemas;
import dev.facerender.io.TableRows;
import dev.facerender.job.MetricsDigest;
import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import dev.facerender.output.CommittedCounts;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.RunFiles;
import dev.facerender.output.VideoCounts;
import dev.facerender.output.VideoRun;
import dev.facerender.partition.task.FrameRows;
import dev.facerender.run.LocalSpark;
import dev.facerender.schedule.local.FileScan;
import dev.facerender.schedule.spark.SparkScan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What {@link RunTables} answers over either scheduler's {@link TableScan} about one set of
 * committed tables, written here directly (two real renders differ in timings, so their digests
 * could not be compared): the committed counts, the error sample, the video check and the digest,
 * whose metrics.json must be the same bytes from either, above {@link MetricsDigest#SAMPLE} batches
 * too.
 */
class RunTablesContractTest {
  private static final String RUN = "run-a";
  private static final String OTHER = "run-b";
  private static final int BATCHES = 820;
  private static final int OTHER_BATCHES = 40;

  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path out;
  private static List<BatchMetrics> batches;

  @BeforeAll
  static void start() throws Exception {
    spark = LocalSpark.start("local[2]");
    // A Spark partition per file, so that Spark's digest merges parts as a big table's would.
    spark.conf().set("spark.sql.files.maxPartitionBytes", "1024");
    out = dir.resolve("out");
    batches = batches(RUN, BATCHES);
    List<Row> metrics = new ArrayList<>();
    for (BatchMetrics b : batches) {
      metrics.add(TableRows.row(b));
    }
    batches(OTHER, OTHER_BATCHES).forEach(b -> metrics.add(TableRows.row(b)));
    // Files in no order of time or task: a digest must not depend on the order it reads rows in.
    Collections.shuffle(metrics, new Random(7));
    write("metrics", Schemas.METRICS, metrics, 3);
    write("frames", FrameRows.OUTPUT, frames(), 2);
    write("errors", Schemas.ERRORS, errors(), 2);
    Files.createDirectories(out.resolve(VideoRun.VIDEOS));
    Files.write(out.resolve(VideoRun.file("a")), new byte[10]);
    Files.write(out.resolve(VideoRun.file("b")), new byte[12]);
    write(
        VideoRun.MANIFEST,
        VideoRun.MANIFEST_SCHEMA,
        List.of(
            video(RUN, "a", 10),
            video(RUN, "b", 12),
            // Another run whose task wrote more bytes than b's file holds.
            video(OTHER, "b", 99)),
        1);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static Stream<Named<RunTables>> engines() {
    return Stream.of(
        Named.of("spark", new RunTables(new SparkScan(spark))),
        Named.of("local", new RunTables(new FileScan(new Configuration()))));
  }

  @Test
  void metricsJsonOfARunAboveTheSampleIsTheSameBytesFromBothEngines() throws Exception {
    String metrics = out.resolve("metrics").toString();
    assertThat(spark.read().parquet(metrics).rdd().getNumPartitions()).isGreaterThanOrEqualTo(3);
    String bySpark = json(new RunTables(new SparkScan(spark)).digest(metrics, RUN));
    String local = json(new RunTables(new FileScan(new Configuration())).digest(metrics, RUN));
    assertThat(local).isEqualTo(bySpark).contains("\"batches\" : 820");
    assertThat(json(new RunTables(new FileScan(new Configuration())).digest(metrics, OTHER)))
        .isEqualTo(json(new RunTables(new SparkScan(spark)).digest(metrics, OTHER)));
  }

  @ParameterizedTest
  @MethodSource("engines")
  void theDigestSumsEveryBatchOfTheRunAndSamplesAFixedNumberInTimeOrder(RunTables tables) {
    MetricsDigest digest = tables.digest(out.resolve("metrics").toString(), RUN);
    assertThat(digest.batches()).isEqualTo(BATCHES);
    assertThat(digest.total("frames"))
        .isEqualTo(batches.stream().mapToLong(BatchMetrics::frames).sum());
    assertThat(digest.total("render_nanos"))
        .isEqualTo(batches.stream().mapToLong(BatchMetrics::renderNanos).sum());
    assertThat(digest.tasks()).hasSize(taskCount());
    assertThat(digest.timeBins()).hasSizeLessThanOrEqualTo(MetricsDigest.BINS);
    assertThat(digest.timeBins().stream().mapToLong(b -> (Long) b.get("batches")).sum())
        .isEqualTo(BATCHES);
    assertThat(digest.sample())
        .hasSize(MetricsDigest.SAMPLE)
        .doesNotHaveDuplicates()
        .allSatisfy(b -> assertThat(b.runId()).isEqualTo(RUN))
        .isSortedAccordingTo(Comparator.comparingLong(BatchMetrics::startMillis));
    assertThat(digest.sampleNote()).contains("a sample of 500 of 820 batches");

    MetricsDigest small = tables.digest(out.resolve("metrics").toString(), OTHER);
    assertThat(small.sample()).hasSize(OTHER_BATCHES);
    assertThat(small.sampleNote()).isEqualTo("all 40 batches");
  }

  @ParameterizedTest
  @MethodSource("engines")
  void committedCountsAreThoseOfTheRunAlone(RunTables tables) {
    CommittedCounts counts =
        tables.counts(
            out.resolve("frames").toString(),
            out.resolve("errors").toString(),
            out.resolve(VideoRun.MANIFEST).toString(),
            RUN);
    // Clip a: frames 0-5, 3 twice; b: 0-3, 4 and one without index rejected; rows without clip
    // count as a clip (as Spark groups nulls); c has only a source row, which is no frame.
    assertThat(counts).isEqualTo(new CommittedCounts(11, 10, 4, 3, 3, 2, new VideoCounts(2, 2, 9)));
    assertThat(
            tables.counts(
                out.resolve("frames").toString(), out.resolve("errors").toString(), null, "none"))
        .isEqualTo(new CommittedCounts(0, 0, 0, 0, 0, 0, null));
  }

  @ParameterizedTest
  @MethodSource("engines")
  void theErrorSampleIsTheFirstRowsByClipAndFrameNullsFirst(RunTables tables) {
    List<FrameError> sample = tables.errorSample(out.resolve("errors").toString(), RUN, 3);
    assertThat(sample)
        .extracting(FrameError::clipId, FrameError::frameIndex)
        .containsExactly(tuple(null, null), tuple("b", null), tuple("b", 4));
    assertThat(tables.errorSample(out.resolve("errors").toString(), RUN, 100)).hasSize(4);
  }

  @ParameterizedTest
  @MethodSource("engines")
  void theOverlapCountsStagedRowsWhoseKeyAnyRunCommitted(RunTables tables) throws Exception {
    Path staged = dir.resolve("staged-" + tables.hashCode());
    List<Row> rows = new ArrayList<>();
    // a/0 and z/0 (another run's) are committed, a/9 is not; b/1 is staged twice and counts twice.
    for (Object[] key : new Object[][] {{"a", 0}, {"a", 9}, {"b", 1}, {"b", 1}, {"z", 0}}) {
      rows.add(RowFactory.create(key[0], key[1], 2, 2, "png", new byte[] {1}, RUN));
    }
    writeTo(staged, FrameRows.OUTPUT, rows, 2);
    String frames = out.resolve("frames").toString();
    assertThat(tables.overlap(staged.toString(), frames)).isEqualTo(4);
    assertThat(tables.overlap(dir.resolve("no-such-table").toString(), frames)).isZero();
    assertThat(tables.overlap(staged.toString(), dir.resolve("none").toString())).isZero();
  }

  @ParameterizedTest
  @MethodSource("engines")
  void theVideoCheckComparesTheManifestWithTheFiles(RunTables tables) {
    OutputFolder folder = OutputFolder.of(new Configuration(), out.toString());
    assertThat(tables.videoFailure(folder, RUN)).isNull();
    assertThat(tables.videoFailure(folder, OTHER)).contains("a partial video");
    OutputFolder none = OutputFolder.of(new Configuration(), dir.resolve("empty").toString());
    assertThat(tables.videoFailure(none, RUN)).contains("is missing");
  }

  /**
   * {@code count} batches of {@code runId} from three executors' tasks, a retried one among them,
   * with starts that tie across tasks, two frame sizes and every calibration source.
   */
  private static List<BatchMetrics> batches(String runId, int count) {
    List<BatchMetrics> rows = new ArrayList<>();
    long[] seq = new long[40];
    for (int i = 0; i < count; i++) {
      int partition = i % 10;
      int executor = partition % 3 + 1;
      int attempt = partition == 4 && i % 20 >= 10 ? 1 : 0;
      int task = partition * 2 + attempt;
      int width = partition % 2 == 0 ? 64 : 128;
      long start = 1_700_000_000_000L + (i / 4) * 45L;
      String source = List.of("measured", "cached", "none").get(partition % 3);
      rows.add(
          new BatchMetrics(
              runId,
              "render",
              Integer.toString(executor),
              "host-" + (executor % 2),
              partition,
              attempt,
              seq[task]++,
              "cpu",
              "fp32",
              width,
              width,
              8,
              8,
              1 + i % 8,
              1 + i % 8,
              i % 13 == 0 ? 1 : 0,
              i % 97 == 0 ? 1 : 0,
              i % 89 == 0 ? 1 : 0,
              -1,
              -1,
              1000 + i,
              100,
              10,
              source,
              source.equals("measured") ? 5_000_000L + partition : 0,
              1000L * i,
              7000L * i + 3,
              500L * (i % 17),
              start,
              start + 30 + i % 11,
              (1 + i % 8) * 1000.0 / (30 + i % 11)));
    }
    return rows;
  }

  private static int taskCount() {
    return (int)
        batches.stream()
            .map(b -> List.of(b.executor(), b.host(), b.device(), b.partition(), b.attempt()))
            .distinct()
            .count();
  }

  private static List<Row> frames() {
    List<Row> rows = new ArrayList<>();
    for (int i : new int[] {0, 1, 2, 3, 3, 4, 5}) {
      rows.add(RowFactory.create("a", i, 2, 2, "png", new byte[] {1}, RUN));
    }
    for (int i = 0; i < 4; i++) {
      rows.add(RowFactory.create("b", i, 2, 2, "png", new byte[] {1}, RUN));
      rows.add(RowFactory.create("z", i, 2, 2, "png", new byte[] {1}, OTHER));
    }
    return rows;
  }

  private static List<Row> errors() {
    return List.of(
        RowFactory.create(RUN, "b", 4, "decode", "BAD_COEFFS", "short"),
        RowFactory.create(OTHER, null, null, "read", "BAD_ROW", "other run"),
        RowFactory.create(RUN, "b", null, "read", "NO_INDEX", "no frame index"),
        RowFactory.create(RUN, "c", null, FrameError.SOURCE_ROW, "UNUSED", "no frame used c"),
        RowFactory.create(RUN, null, null, "read", "NO_CLIP", "no clip"));
  }

  private static Row video(String runId, String clip, long bytes) {
    return RowFactory.create(
        runId,
        clip,
        VideoRun.file(clip),
        clip.equals("a") ? 5L : 4L,
        "25",
        0.2,
        "libopenh264",
        0.0,
        "none",
        bytes,
        0.01,
        0,
        0);
  }

  /** {@code rows} as the table {@code name} under the output folder, in {@code files} files. */
  private static void write(String name, StructType schema, List<Row> rows, int files) {
    writeTo(out.resolve(name), schema, rows, files);
  }

  /** {@code rows} dealt round-robin into {@code files} files: a clip's rows in several. */
  private static void writeTo(Path table, StructType schema, List<Row> rows, int files) {
    Configuration conf = new Configuration();
    for (int f = 0; f < files; f++) {
      String file = table.resolve("part-" + f + ".parquet").toString();
      try (ParquetRowWriter writer = new ParquetRowWriter(file, schema, conf, true, 1 << 20)) {
        for (int i = f; i < rows.size(); i += files) {
          writer.write(rows.get(i));
        }
      }
    }
  }

  private static String json(MetricsDigest digest) throws Exception {
    return new String(RunFiles.metricsJson(digest), StandardCharsets.UTF_8);
  }
}
