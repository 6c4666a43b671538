package dev.facerender.schedule.spark;

import static org.apache.spark.sql.functions.col;

import dev.facerender.config.OutputFormat;
import dev.facerender.metrics.SampledFrame;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.RunManifest;
import dev.facerender.output.Staging;
import dev.facerender.output.WaveVideos;
import dev.facerender.partition.RenderPartitionFunction;
import dev.facerender.partition.sink.FileSinks;
import dev.facerender.partition.sink.TaskRows;
import dev.facerender.partition.task.FrameRows;
import dev.facerender.schedule.ClipPartitions;
import dev.facerender.schedule.WaveTasks;
import dev.facerender.schedule.Waves;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The Spark scheduler's tasks: each wave rendered into its staging folder ({@code frames/}, {@code
 * errors/}, {@code metrics/} under {@code _staging/<attempt>/wave-NNNNN}, and for a video run the
 * MP4s of its successful attempts with their {@code videos_manifest/}) by one {@code mapPartitions}
 * job, through Spark's commit protocol; nothing there is output until {@link RunManifest#commit}
 * moves it.
 */
public final class WaveRunner implements WaveTasks {
  private static final long FRAME_ROW_GROUP_BYTES = 16L << 20;

  /** Where tasks write their row files inside a wave's staging folder. */
  static final String TASK_ROWS = "_task-rows";

  private final SparkSession spark;
  private final WaveTasks.Plan<RenderInput> plan;
  private final OutputFolder out;
  private final Dataset<Row> stream;
  private final LongAccumulator done;
  private final CollectionAccumulator<SampledFrame> samples;
  private final LiveFrames live;
  private final Map<String, Long> errorCodes = new TreeMap<>();

  WaveRunner(SparkSession spark, WaveTasks.Plan<RenderInput> plan) {
    this.spark = spark;
    this.plan = plan;
    this.out = plan.out();
    this.stream = plan.input().stream(plan.video() != null);
    this.done = spark.sparkContext().longAccumulator("frames done");
    this.samples = spark.sparkContext().collectionAccumulator("report sample");
    this.live = LiveFrames.follow(spark.sparkContext(), done);
  }

  @Override
  public LongSupplier progress() {
    return live;
  }

  @Override
  public void skipped(long frames) {
    done.add(frames);
  }

  @Override
  public List<SampledFrame> samples() {
    return samples.value();
  }

  @Override
  public void close() {
    live.close();
  }

  /** The wave's rows, spread over partitions by their clips' frame counts (see ClipPartitions). */
  private Dataset<Row> partitioned(int wave) {
    Dataset<Row> rows = stream.where(Waves.of(plan.waves()).equalTo(wave));
    Map<String, Long> clips = plan.counts().wave(wave, plan.waves());
    int parallelism = spark.sparkContext().defaultParallelism();
    int requested = plan.partitions();
    ClipPartitions.Plan spread = ClipPartitions.plan(clips, requested, parallelism);
    return spread == null
        ? rows.repartition(
            ClipPartitions.hashedPartitions(clips.size(), requested, parallelism), col("clip_id"))
        : ClipPartitions.repartition(spark, rows, spread);
  }

  @Override
  public StagedWave render(int wave, String staging) {
    // Tasks send one TaskRows each; their error and metrics rows stay in files (FileSinks).
    CollectionAccumulator<TaskRows> tasks = spark.sparkContext().collectionAccumulator("task rows");
    FileSinks sinks =
        new FileSinks(
            out.child(staging + "/" + TASK_ROWS),
            SerializableConfiguration.broadcast(spark.sparkContext()),
            tasks,
            done,
            plan.sample(),
            samples);
    Dataset<Row> waveRows = partitioned(wave);
    DataFrameWriter<Row> writer =
        waveRows
            .sortWithinPartitions(col("clip_id"), col("is_source").desc(), col("frame_index"))
            .mapPartitions(
                new RenderPartitionFunction(
                        plan.settings(),
                        sinks,
                        plan.video() == null ? null : plan.video().output(staging),
                        SparkTopology.driverGpus(spark))
                    .forJobOf(
                        plan.counts().wave(wave, plan.waves()).values().stream()
                            .mapToLong(Long::longValue)
                            .sum()),
                Encoders.row(FrameRows.OUTPUT))
            .write()
            .mode(SaveMode.ErrorIfExists)
            // Frames are large: smaller row groups keep each writer's buffer, and the peak
            // memory of long partitions, bounded.
            .option("parquet.block.size", FRAME_ROW_GROUP_BYTES);
    if (plan.settings().output().format() != OutputFormat.RAW) {
      // PNG and JPEG bytes do not compress further: compressing them again cost 2-13% of
      // end-to-end frames/s (docs/performance.md). Raw pixels keep Spark's codec.
      writer = writer.option("compression", "uncompressed");
    }
    writer.parquet(out.child(staging + "/frames"));
    List<TaskRows> reported = tasks.value();
    new TaskRowTables(spark, out)
        .write(reported, staging)
        .forEach((code, n) -> errorCodes.merge(code, n, Long::sum));
    WaveVideos videos =
        plan.video() == null
            ? null
            : WaveVideos.stage(
                out,
                spark.sparkContext().hadoopConfiguration(),
                WaveVideos.reported(spark.sparkContext().hadoopConfiguration(), reported),
                staging);
    return new StagedWave(Staging.moves(out, staging, videos), videos);
  }

  @Override
  public Map<String, Long> errorCodes() {
    return errorCodes;
  }
}
