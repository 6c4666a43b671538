package dev.facerender.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.facerender.config.FacerenderConf;
import dev.facerender.config.OutputFormat;
import dev.facerender.io.InputException;
import dev.facerender.io.Schemas;
import dev.facerender.io.Tables;
import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import dev.facerender.model.FrameEnhancer;
import dev.facerender.model.FrameModel;
import dev.facerender.model.ModelPreflight;
import dev.facerender.model.Models;
import dev.facerender.partition.AccumulatorSinks;
import dev.facerender.partition.FrameRows;
import dev.facerender.partition.RenderPartitionFunction;
import dev.facerender.partition.RenderSettings;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/** The driver side of a render. Not serializable: it never leaves the driver. */
public final class RenderJob {
  /** Written last, only when every check passed. */
  static final String SUCCESS = "_SUCCESS";

  private static final long FRAME_ROW_GROUP_BYTES = 16L << 20;

  private final SparkSession spark;

  public RenderJob(SparkSession spark) {
    this.spark = spark;
  }

  /** Renders and writes {@code frames/}, {@code errors/}, {@code metrics/}, run.json, report. */
  public RunSummary run(RenderRequest request, ProgressListener progress) {
    long started = System.nanoTime();
    String runId =
        Instant.now().toString().replaceAll("[^0-9]", "").substring(0, 14)
            + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    int concurrentTasks = SparkTopology.concurrentTasks(spark);
    RenderSettings settings = RenderSettings.from(runId, request.conf(), concurrentTasks);
    OutputFolder out = OutputFolder.of(spark, request.out());
    prepareOutput(out, request.mode());

    Dataset<Row> frames = Tables.read(spark, request.frames(), request.inputFormat());
    Schemas.check("frames", request.frames(), frames.schema(), Schemas.FRAMES);
    Dataset<Row> sources = Tables.read(spark, request.sources(), request.inputFormat());
    Schemas.check("sources", request.sources(), sources.schema(), Schemas.SOURCES);
    boolean base64 = sources.schema().apply("image").dataType().sameType(DataTypes.StringType);
    settings = preflight(settings, request.conf(), base64);
    out.delete(SUCCESS);

    long inputFrames = frames.count();
    long clips = sources.count();
    int partitions =
        request.partitions() > 0
            ? request.partitions()
            : (int) Math.max(1, Math.min(clips, 2L * spark.sparkContext().defaultParallelism()));

    VideoRun video = VideoRun.of(spark, settings, out);
    List<Column> sourceColumns =
        new ArrayList<>(
            List.of(
                lit(true).as("is_source"),
                col("clip_id").cast(DataTypes.StringType),
                lit(null).cast(DataTypes.IntegerType).as("frame_index"),
                Schemas.has(sources.schema(), "coeffs")
                    ? col("coeffs").cast(DataTypes.createArrayType(DataTypes.FloatType))
                    : lit(null).cast(DataTypes.createArrayType(DataTypes.FloatType)).as("coeffs"),
                col("image").cast(DataTypes.BinaryType)));
    if (video != null) {
      sourceColumns.addAll(video.audioColumns(sources.schema()));
    }
    Dataset<Row> sourceRows = sources.select(sourceColumns.toArray(Column[]::new));
    Dataset<Row> frameRows =
        frames.select(
            lit(false).as("is_source"),
            col("clip_id").cast(DataTypes.StringType),
            col("frame_index").cast(DataTypes.IntegerType),
            col("coeffs").cast(DataTypes.createArrayType(DataTypes.FloatType)),
            lit(null).cast(DataTypes.BinaryType).as("image"));
    if (video != null) {
      sourceRows = VideoRun.withClipFrames(sourceRows, frames);
      frameRows = VideoRun.framesWithAudio(frameRows);
    }
    Dataset<Row> stream =
        sourceRows
            .unionByName(frameRows)
            .repartition(partitions, col("clip_id"))
            .sortWithinPartitions(col("clip_id"), col("is_source").desc(), col("frame_index"));

    CollectionAccumulator<FrameError> errors = spark.sparkContext().collectionAccumulator("errors");
    CollectionAccumulator<BatchMetrics> metrics =
        spark.sparkContext().collectionAccumulator("metrics");
    LongAccumulator done = spark.sparkContext().longAccumulator("frames done");
    progress.start(inputFrames, done);
    long renderStart = System.nanoTime();
    RssSampler rss = new RssSampler();
    try {
      DataFrameWriter<Row> writer =
          stream
              .mapPartitions(
                  new RenderPartitionFunction(
                      settings,
                      new AccumulatorSinks(
                          errors, metrics, done, video == null ? null : video.staged()),
                      video == null ? null : video.output()),
                  Encoders.row(FrameRows.OUTPUT))
              .write()
              .mode(request.mode().equals("append") ? SaveMode.Append : SaveMode.ErrorIfExists)
              // Frames are large: smaller row groups keep each writer's buffer, and the peak
              // memory of long partitions, bounded.
              .option("parquet.block.size", FRAME_ROW_GROUP_BYTES);
      if (settings.format() != OutputFormat.RAW) {
        // PNG and JPEG bytes do not compress further: compressing them again cost 2-13% of
        // end-to-end frames/s (docs/performance.md). Raw pixels keep Spark's codec.
        writer = writer.option("compression", "uncompressed");
      }
      writer.parquet(out.child("frames"));
    } finally {
      progress.stop();
      rss.close();
    }
    long renderWall = System.nanoTime() - renderStart;

    List<FrameError> errorRows = new ArrayList<>(errors.value());
    errorRows.sort(
        Comparator.comparing(FrameError::clipId, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(
                FrameError::frameIndex, Comparator.nullsFirst(Comparator.naturalOrder())));
    List<BatchMetrics> batches = new ArrayList<>(metrics.value());
    batches.sort(
        Comparator.comparingInt(BatchMetrics::partition).thenComparingLong(BatchMetrics::batchSeq));
    write(
        errorRows.stream().map(Schemas::row).toList(),
        Schemas.ERRORS,
        out.child("errors"),
        request.mode());
    write(
        batches.stream().map(Schemas::row).toList(),
        Schemas.METRICS,
        out.child("metrics"),
        request.mode());

    long rendered = batches.stream().mapToLong(BatchMetrics::frames).sum();
    long frameErrors = errorRows.stream().filter(FrameError::isFrame).count();
    Map<String, String> effective = new TreeMap<>(request.conf());
    RunSummary summary =
        new RunSummary(
            runId,
            out.toString(),
            spark.sparkContext().master(),
            effective,
            inputFrames,
            rendered,
            frameErrors,
            renderWall,
            System.nanoTime() - started,
            rss.peakBytes(),
            batches,
            errorRows);
    String failure = null;
    if (rendered + frameErrors != inputFrames) {
      failure =
          "Accounting broke: "
              + inputFrames
              + " input frames but "
              + rendered
              + " rendered + "
              + frameErrors
              + " rejected. Output in "
              + out
              + " is not trustworthy.";
    }
    if (failure == null && video != null) {
      failure = video.commit(rendered, request.mode());
    }
    double errorRate = inputFrames == 0 ? 0 : frameErrors / (double) inputFrames;
    if (failure == null && errorRate > settings.maxErrorRate()) {
      FrameError first = errorRows.stream().filter(FrameError::isFrame).findFirst().orElseThrow();
      failure =
          String.format(
              "%d of %d input frames (%.2f%%) were rejected, above --max-error-rate %.2f%%;"
                  + " first: %s %s. See %s",
              frameErrors,
              inputFrames,
              100 * errorRate,
              100 * settings.maxErrorRate(),
              first.code(),
              first.message(),
              out.child("errors"));
    }
    RunFiles.write(summary, settings, out, spark, failure);
    if (failure != null) {
      // Readers wait on _SUCCESS markers: a failed run must not leave one anywhere.
      for (String table : List.of("frames", "errors", "metrics")) {
        out.delete(table + "/" + SUCCESS);
      }
      throw new RunFailedException(
          failure + " The run failed: no _SUCCESS marker was written; run.json has the details.");
    }
    out.write(SUCCESS, (runId + "\n").getBytes(StandardCharsets.UTF_8));
    return summary;
  }

  /**
   * Checks, stages and ships the model files, and runs them on the driver so a missing or broken
   * file stops the run before any task. Returns the settings executors get.
   */
  private RenderSettings preflight(
      RenderSettings settings, Map<String, String> conf, boolean base64Sources) {
    ModelFiles files = new ModelFiles(spark, FacerenderConf.get(FacerenderConf.MODEL_ROOTS, conf));
    ModelFiles.Shipped model = files.ship(settings.model(), "Model");
    try (FrameModel loaded = Models.load(model.driverSpec())) {
      ModelPreflight.check(loaded, settings.coeffCount(), settings.windowWidth());
    }
    String enhancer = settings.enhancer();
    if (settings.hasEnhancer()) {
      ModelFiles.Shipped shipped = files.ship(settings.enhancer(), "Enhancer");
      try (FrameEnhancer loaded = Models.loadEnhancer(shipped.driverSpec())) {
        ModelPreflight.check(loaded);
      }
      enhancer = shipped.executorSpec();
    }
    return settings.forExecutors(model.executorSpec(), enhancer, base64Sources);
  }

  private static void prepareOutput(OutputFolder out, String mode) {
    if (!out.exists()) {
      return;
    }
    switch (mode) {
      case "error-if-exists" -> {
        if (!out.isEmpty()) {
          throw new InputException(
              "Output folder "
                  + out
                  + " already exists and is not empty: choose another --out, or pass --mode"
                  + " overwrite or --mode append");
        }
      }
      case "overwrite" -> out.deleteAll();
      default -> {
        // append keeps what is there
      }
    }
  }

  private void write(
      List<Row> rows, org.apache.spark.sql.types.StructType schema, String path, String mode) {
    spark
        .createDataFrame(rows, schema)
        .coalesce(1)
        .write()
        .mode(mode.equals("append") ? SaveMode.Append : SaveMode.ErrorIfExists)
        .parquet(path);
  }
}
