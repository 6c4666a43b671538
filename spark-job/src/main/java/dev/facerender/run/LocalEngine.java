package dev.facerender.run;

import dev.facerender.device.DeviceChoice;
import dev.facerender.io.NioLocalFileSystem;
import dev.facerender.io.ParquetTable;
import dev.facerender.job.ProgressListener;
import dev.facerender.job.RenderRequest;
import dev.facerender.job.RunSummary;
import dev.facerender.schedule.local.LocalScheduler;
import dev.facerender.schedule.spark.SparkTopology;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * A render without Spark: {@link RunFlow} with tasks on render slots in this JVM ({@link
 * LocalScheduler}): the same executor code, tables, waves, modes, checks and run files, minus
 * Spark's start-up and its per-job scheduling, which on a run of a few thousand frames cost more
 * than the render. It takes the runs Spark adds nothing to ({@link LocalEngineScope}); the rest go
 * to {@link SparkEngine}.
 */
public final class LocalEngine {
  private final RenderRequest request;
  private final LocalScheduler scheduler;

  private LocalEngine(RenderRequest request, LocalScheduler scheduler) {
    this.request = request;
    this.scheduler = scheduler;
  }

  /** The local engine for a request, or why it cannot take it (exactly one is null). */
  record Offer(LocalEngine engine, String refusal) {}

  /**
   * The engine for {@code request} on {@code master} (null: local[*]), or the reason only Spark can
   * run it: a cluster master, Spark settings of its own ({@code spark.*} other than {@code
   * spark.facerender.*}: resources, memory, event logs), JSON Lines or partitioned input, or
   * injected task failures. Its size does not matter: waves keep what a slot holds bounded, as on
   * Spark. Renders where {@code device} says (null: decided here from {@code --device} and this
   * machine, {@link DeviceChoice}).
   */
  static Offer offer(
      RenderRequest request, String master, List<String> sparkSettings, DeviceChoice device) {
    String chosen = master == null ? "local[*]" : master.strip();
    String reason = LocalEngineScope.refusal(request, chosen, sparkSettings);
    Configuration conf = NioLocalFileSystem.configuration();
    ParquetTable framesTable = null;
    ParquetTable sourcesTable = null;
    if (reason == null) {
      framesTable = ParquetTable.open(request.frames(), conf);
      sourcesTable = ParquetTable.open(request.sources(), conf);
      if (framesTable == null || sourcesTable == null) {
        reason = "an input is not a plain folder of Parquet files (or is missing)";
      }
    }
    if (reason != null) {
      return new Offer(null, reason);
    }
    // The task slots local Spark would have: one thread per slot, each a partition at a time.
    int threads =
        SparkTopology.coreSlots(chosen, "", "1", Runtime.getRuntime().availableProcessors());
    DeviceChoice chosenDevice = device != null ? device : DeviceChoice.of(request.conf());
    return new Offer(
        new LocalEngine(
            request,
            new LocalScheduler(
                conf, framesTable, sourcesTable, threads, chosenDevice, request.conf())),
        null);
  }

  /**
   * Renders and writes what {@link SparkEngine#run} writes; run.json says {@code "engine":
   * "local"}.
   */
  public RunSummary run(ProgressListener progress) {
    return new RunFlow<>(scheduler).run(request, progress);
  }
}
