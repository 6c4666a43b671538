package dev.facerender.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.io.InputException;
import dev.facerender.io.Schemas;
import dev.facerender.job.MetricsDigest;
import dev.facerender.job.ProgressListener;
import dev.facerender.job.RenderRequest;
import dev.facerender.job.RunSummary;
import dev.facerender.output.CommittedCounts;
import dev.facerender.output.Staging;
import dev.facerender.output.query.RunTables;
import dev.facerender.schedule.local.FileScan;
import dev.facerender.schedule.spark.SparkScan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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

/**
 * The local engine against the Spark engine on one input: the same frames, error rows, counts and
 * digest, read back by Spark; and the runs it leaves to Spark, each with its reason.
 */
class LocalEngineTest {
  private static final Map<String, String> ANY_ERROR_RATE =
      Map.of("spark.facerender.maxErrorRate", "1");

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
  void everyBadRowAndFrameComesOutAsTheSparkEngineWritesIt() throws Exception {
    BadInputTest.BadRows bad = BadInputTest.badRows();
    Path input =
        LocalSpark.writeInput(
            spark, dir.resolve("bad"), bad.sources(), Schemas.SOURCES, bad.frames());
    Path sparkOut = dir.resolve("spark-out");
    Path localOut = dir.resolve("local-out");
    RunSummary viaSpark = LocalSpark.render(spark, input, sparkOut, ANY_ERROR_RATE);
    RunSummary viaLocal =
        LocalSpark.localEngine(
                LocalSpark.request(input, localOut, "error-if-exists", ANY_ERROR_RATE))
            .run(ProgressListener.NONE);

    for (BadInputTest.Case expected : bad.cases()) {
      assertThat(viaLocal.errors())
          .as(expected.key())
          .filteredOn(e -> (e.clipId() + "#" + e.frameIndex()).equals(expected.key()))
          .singleElement()
          .satisfies(e -> assertThat(e.code()).isEqualTo(expected.code()));
    }
    assertThat(viaLocal.inputFrames()).isEqualTo(bad.frames().size());
    assertThat(viaLocal.renderedFrames()).isEqualTo(viaSpark.renderedFrames()).isEqualTo(4);
    assertThat(viaLocal.errorFrames()).isEqualTo(viaSpark.errorFrames());
    assertThat(viaLocal.errorCodes()).isEqualTo(viaSpark.errorCodes());

    List<Row> sparkFrames = LocalSpark.frames(spark, sparkOut);
    List<Row> localFrames = LocalSpark.frames(spark, localOut);
    assertThat(spark.read().parquet(localOut.resolve("frames").toString()).schema())
        .isEqualTo(spark.read().parquet(sparkOut.resolve("frames").toString()).schema());
    assertThat(localFrames).hasSameSizeAs(sparkFrames);
    for (int i = 0; i < sparkFrames.size(); i++) {
      Row a = sparkFrames.get(i);
      Row b = localFrames.get(i);
      for (String key : List.of("clip_id", "frame_index", "width", "height", "format")) {
        assertThat(b.<Object>getAs(key)).as(key).isEqualTo(a.getAs(key));
      }
      assertThat(LocalSpark.maxDifference(LocalSpark.decode(a), LocalSpark.decode(b)))
          .isLessThanOrEqualTo(1);
    }
    assertThat(LocalSpark.errorRows(spark, localOut))
        .isEqualTo(LocalSpark.errorRows(spark, sparkOut));
    assertThat(spark.read().parquet(localOut.resolve("metrics").toString()).count())
        .isEqualTo(viaLocal.batchCount());

    assertThat(localOut.resolve("run.json"))
        .content()
        .contains("\"engine\" : \"local\"")
        .contains("\"status\" : \"succeeded\"");
    for (String marker : List.of("_SUCCESS", "frames/_SUCCESS", "errors/_SUCCESS")) {
      assertThat(localOut.resolve(marker)).exists();
    }
    assertThat(localOut.resolve(Staging.ROOT)).doesNotExist();
  }

  @Test
  void itsCountsAndDigestAreWhatSparkReadsFromTheSameTables() throws Exception {
    BadInputTest.BadRows bad = BadInputTest.badRows();
    Path input =
        LocalSpark.writeInput(
            spark, dir.resolve("digest"), bad.sources(), Schemas.SOURCES, bad.frames());
    Path out = dir.resolve("digest-out");
    RunSummary run =
        LocalSpark.localEngine(LocalSpark.request(input, out, "error-if-exists", ANY_ERROR_RATE))
            .run(ProgressListener.NONE);

    RunTables bySpark = new RunTables(new SparkScan(spark));
    RunTables local = new RunTables(new FileScan(new Configuration()));
    String frames = out.resolve("frames").toString();
    String errors = out.resolve("errors").toString();
    String metrics = out.resolve("metrics").toString();
    assertThat(local.counts(frames, errors, null, run.runId()))
        .isEqualTo(bySpark.counts(frames, errors, null, run.runId()));
    assertThat(local.counts(frames, errors, null, "another run"))
        .isEqualTo(bySpark.counts(frames, errors, null, "another run"));
    assertThat(local.errorSample(errors, run.runId(), 3))
        .hasSize(3)
        .isEqualTo(bySpark.errorSample(errors, run.runId(), 3));
    assertThat(local.errorSample(errors, run.runId(), 10_000))
        .isEqualTo(bySpark.errorSample(errors, run.runId(), 10_000));
    assertThat(local.overlap(frames, frames))
        .isEqualTo(bySpark.overlap(frames, frames))
        .isEqualTo(run.renderedFrames());

    MetricsDigest sparkDigest = bySpark.digest(metrics, run.runId());
    MetricsDigest localDigest = local.digest(metrics, run.runId());
    assertThat(sparkDigest.batches()).isPositive();
    assertThat(localDigest).isEqualTo(sparkDigest);
  }

  @Test
  void aDuplicateFrameInTheTablesIsCaughtByTheReadBack() {
    Path frames = dir.resolve("dup/frames");
    Configuration conf = new Configuration();
    try (var writer =
        new dev.facerender.io.ParquetRowWriter(
            frames.resolve("part-0.parquet").toString(),
            dev.facerender.partition.task.FrameRows.OUTPUT,
            conf,
            false,
            1 << 20)) {
      for (int i : new int[] {0, 1, 1}) {
        writer.write(RowFactory.create("a", i, 2, 2, "png", new byte[] {1}, "run"));
      }
    }
    CommittedCounts counts =
        new RunTables(new FileScan(conf))
            .counts(frames.toString(), dir.resolve("dup/errors").toString(), null, "run");
    assertThat(counts.problem(3, "wave 0"))
        .contains("3 frame rows but 2 distinct")
        .contains("1 duplicate frames");
    assertThat(counts.problem(2, "wave 0")).isNotNull();
  }

  @Test
  void runsOnlySparkServesAreLeftToSparkWithTheReason() throws Exception {
    List<Row> sources =
        List.of(RowFactory.create("a", BadInputTest.badRows().sources().get(0).get(1)));
    List<Row> frames = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      frames.add(BadInputTest.frame("a", i, BadInputTest.coeffs(70, 0f)));
    }
    Path input =
        LocalSpark.writeInput(spark, dir.resolve("small"), sources, Schemas.SOURCES, frames);
    Path out = dir.resolve("small-out");
    RenderRequest plain = LocalSpark.request(input, out, "error-if-exists", Map.of());
    Map<String, String> refusals = new HashMap<>();
    refusals.put("cluster", reason(plain, "spark://host:7077", List.of()));
    refusals.put("spark settings", reason(plain, null, List.of("spark.executor.memory")));
    refusals.put(
        "jsonl",
        reason(
            new RenderRequest(
                "f.jsonl", "s.jsonl", out.toString(), null, "error-if-exists", 0, Map.of()),
            null,
            List.of()));
    refusals.put(
        "missing",
        reason(
            LocalSpark.request(dir.resolve("nowhere"), out, "error-if-exists", Map.of()),
            null,
            List.of()));

    assertThat(refusals.get("cluster")).contains("spark://host:7077 is not local");
    assertThat(refusals.get("spark settings")).contains("spark.executor.memory");
    assertThat(refusals.get("jsonl")).contains("not Parquet");
    assertThat(refusals.get("missing")).contains("not a plain folder of Parquet files");
    // Any mode and any size: waves and resume are the run's, whichever scheduler runs it.
    for (String mode : List.of("error-if-exists", "overwrite", "append", "resume")) {
      assertThat(reason(LocalSpark.request(input, out, mode, Map.of()), "local[2]", List.of()))
          .as(mode)
          .isNull();
    }
    assertThat(out).doesNotExist();
  }

  @Test
  void aTableThatDoesNotFitIsRefusedWithTheSparkEnginesMessage() {
    Path input = dir.resolve("wrong");
    StructType wrong =
        new StructType()
            .add("clip_id", DataTypes.StringType)
            .add("frame_index", DataTypes.StringType)
            .add("coeffs", DataTypes.createArrayType(DataTypes.FloatType));
    spark
        .createDataFrame(List.of(RowFactory.create("a", "0", LocalSpark.seq(List.of(0f)))), wrong)
        .write()
        .parquet(input.resolve("frames").toString());
    spark
        .createDataFrame(List.of(RowFactory.create("a", new byte[] {1})), Schemas.SOURCES)
        .write()
        .parquet(input.resolve("sources").toString());
    Path out = dir.resolve("wrong-out");

    assertThatThrownBy(
            () ->
                LocalSpark.localEngine(LocalSpark.request(input, out, "error-if-exists", Map.of()))
                    .run(ProgressListener.NONE))
        .isInstanceOf(InputException.class)
        .hasMessageContaining("The frames table at " + input.resolve("frames"))
        .hasMessageContaining("column 'frame_index' is string, wanted int");
    assertThat(Files.exists(out)).isFalse();
  }

  private static String reason(RenderRequest request, String master, List<String> sparkSettings) {
    LocalEngine.Offer offer = LocalEngine.offer(request, master, sparkSettings, null);
    assertThat(offer.engine() == null).isEqualTo(offer.refusal() != null);
    EngineChoice auto = EngineChoice.decide("auto", request, master, sparkSettings, null);
    EngineChoice local = EngineChoice.decide("local", request, master, sparkSettings, null);
    if (offer.refusal() == null) {
      assertThat(auto).isInstanceOf(EngineChoice.Local.class);
      assertThat(local).isInstanceOf(EngineChoice.Local.class);
    } else {
      assertThat(auto).isEqualTo(new EngineChoice.Spark(offer.refusal()));
      assertThat(local).isEqualTo(new EngineChoice.Refused(offer.refusal()));
    }
    assertThat(EngineChoice.decide("spark", request, master, sparkSettings, null))
        .isEqualTo(new EngineChoice.Spark(null));
    return offer.refusal();
  }
}
