package dev.facerender.job;

import static org.apache.spark.sql.functions.col;

import dev.facerender.config.OutputFormat;
import dev.facerender.io.Tables;
import dev.facerender.metrics.SampledFrame;
import dev.facerender.partition.FileSinks;
import dev.facerender.partition.FrameRows;
import dev.facerender.partition.FrameSample;
import dev.facerender.partition.RenderPartitionFunction;
import dev.facerender.partition.RenderSettings;
import dev.facerender.partition.TaskRows;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * Renders one wave into its staging folder ({@code frames/}, {@code errors/}, {@code metrics/}
 * under {@code _staging/<attempt>/wave-NNNNN}, and for a video run the MP4s of its successful
 * attempts with their {@code videos_manifest/}), through Spark's commit protocol; nothing there is
 * output until {@link RunManifest#commit} moves it.
 */
final class WaveRunner {
  private static final long FRAME_ROW_GROUP_BYTES = 16L << 20;
  static final List<String> TABLES = List.of("frames", "errors", "metrics");

  /** Where tasks write their row files inside a wave's staging folder. */
  static final String TASK_ROWS = "_task-rows";

  private final SparkSession spark;
  private final RenderSettings settings;
  private final OutputFolder out;
  private final Dataset<Row> stream;
  private final ClipCounts counts;
  private final int waves;
  private final int requestedPartitions;
  private final LongAccumulator done;
  private final FrameSample sample;
  private final CollectionAccumulator<SampledFrame> samples;
  private final VideoRun video;
  private final Map<String, Long> errorCodes = new TreeMap<>();
  private WaveVideos videos;

  WaveRunner(
      SparkSession spark,
      RenderSettings settings,
      OutputFolder out,
      Dataset<Row> stream,
      ClipCounts counts,
      int waves,
      int requestedPartitions,
      LongAccumulator done,
      FrameSample sample,
      CollectionAccumulator<SampledFrame> samples,
      VideoRun video) {
    this.spark = spark;
    this.settings = settings;
    this.out = out;
    this.stream = stream;
    this.counts = counts;
    this.waves = waves;
    this.requestedPartitions = requestedPartitions;
    this.done = done;
    this.sample = sample;
    this.samples = samples;
    this.video = video;
  }

  /** The wave's rows, spread over partitions by their clips' frame counts (see ClipPartitions). */
  private Dataset<Row> partitioned(int wave) {
    Dataset<Row> rows = stream.where(Waves.of(waves).equalTo(wave));
    Map<String, Long> clips = counts.wave(wave, waves);
    int parallelism = spark.sparkContext().defaultParallelism();
    ClipPartitions.Plan plan = ClipPartitions.plan(clips, requestedPartitions, parallelism);
    return plan == null
        ? rows.repartition(
            ClipPartitions.hashedPartitions(clips.size(), requestedPartitions, parallelism),
            col("clip_id"))
        : ClipPartitions.repartition(spark, rows, plan);
  }

  /** Renders wave {@code wave} into {@code staging} (relative to the output folder). */
  void render(int wave, String staging) {
    // Tasks send one TaskRows each; their error and metrics rows stay in files (FileSinks).
    CollectionAccumulator<TaskRows> tasks = spark.sparkContext().collectionAccumulator("task rows");
    FileSinks sinks =
        new FileSinks(
            out.child(staging + "/" + TASK_ROWS),
            SerializableConfiguration.broadcast(spark.sparkContext()),
            tasks,
            done,
            sample,
            samples);
    DataFrameWriter<Row> writer =
        partitioned(wave)
            .sortWithinPartitions(col("clip_id"), col("is_source").desc(), col("frame_index"))
            .mapPartitions(
                new RenderPartitionFunction(
                    settings,
                    sinks,
                    video == null ? null : video.output(staging),
                    SparkTopology.driverGpus(spark)),
                Encoders.row(FrameRows.OUTPUT))
            .write()
            .mode(SaveMode.ErrorIfExists)
            // Frames are large: smaller row groups keep each writer's buffer, and the peak
            // memory of long partitions, bounded.
            .option("parquet.block.size", FRAME_ROW_GROUP_BYTES);
    if (settings.format() != OutputFormat.RAW) {
      // PNG and JPEG bytes do not compress further: compressing them again cost 2-13% of
      // end-to-end frames/s (docs/performance.md). Raw pixels keep Spark's codec.
      writer = writer.option("compression", "uncompressed");
    }
    writer.parquet(out.child(staging + "/frames"));
    List<TaskRows> reported = tasks.value();
    new TaskRowTables(spark, out)
        .write(reported, staging)
        .forEach((code, n) -> errorCodes.merge(code, n, Long::sum));
    videos = video == null ? null : WaveVideos.stage(spark, out, reported, staging);
  }

  /** The videos of the wave rendered last, or null when the run makes none. */
  WaveVideos videos() {
    return videos;
  }

  /** Rejected rows per error code over the waves this attempt rendered. */
  Map<String, Long> errorCodes() {
    return errorCodes;
  }

  /** The staged data files of {@code staging} and the table paths a commit moves them to. */
  List<RunManifest.Move> moves(String staging) {
    List<RunManifest.Move> moves = new ArrayList<>();
    List<String> tables = new ArrayList<>(TABLES);
    if (video != null) {
      tables.add(VideoRun.MANIFEST);
      moves.addAll(videos.moves());
    }
    moves.addAll(tableMoves(out, staging, tables));
    return moves;
  }

  /** The data files {@code staging} holds for {@code tables}, each moved into its table. */
  static List<RunManifest.Move> tableMoves(OutputFolder out, String staging, List<String> tables) {
    List<RunManifest.Move> moves = new ArrayList<>();
    for (String table : tables) {
      for (String name : out.list(staging + "/" + table)) {
        if (!Tables.isHidden(name)) {
          moves.add(new RunManifest.Move(staging + "/" + table + "/" + name, table + "/" + name));
        }
      }
    }
    return moves;
  }
}
