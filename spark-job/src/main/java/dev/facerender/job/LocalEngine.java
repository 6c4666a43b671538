package dev.facerender.job;

import dev.facerender.concurrent.Futures;
import dev.facerender.config.DeviceConf;
import dev.facerender.config.FacerenderConf;
import dev.facerender.device.DeviceChoice;
import dev.facerender.device.Devices;
import dev.facerender.io.NioLocalFileSystem;
import dev.facerender.io.ParquetTable;
import dev.facerender.io.Schemas;
import dev.facerender.io.TableRows;
import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import dev.facerender.partition.EncodeHelpers;
import dev.facerender.partition.RenderSettings;
import dev.facerender.report.ReportSample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;

/**
 * Renders a small run on this machine without Spark: the same executor code ({@code
 * RenderPartitionFunction}) on one thread per core, the same tables, checks and run files, minus
 * Spark's start-up and its per-job scheduling, which on a run of a few thousand frames cost more
 * than the render. It takes only runs Spark adds nothing to ({@link #refusal}); the rest go to
 * {@link RenderJob}. One wave: a run it takes is small enough to redo whole.
 */
public final class LocalEngine {
  /** Input frames above which {@code auto} picks Spark, whose waves make a long run resumable. */
  public static final long AUTO_MAX_FRAMES = 100_000;

  private final RenderRequest request;
  private final Configuration conf;
  private final ParquetTable frames;
  private final ParquetTable sources;
  private final int threads;
  private final int tasksPerDevice;
  private final DeviceChoice device;
  private final CompletableFuture<RenderSettings> models;

  private LocalEngine(
      RenderRequest request,
      Configuration conf,
      ParquetTable frames,
      ParquetTable sources,
      int coreSlots,
      DeviceChoice device) {
    this.request = request;
    this.conf = conf;
    this.frames = frames;
    this.sources = sources;
    this.device = device;
    // On GPUs, a few render slots per GPU (each a task with its render thread), not one per core:
    // more tasks on one GPU only split its memory; on the CPU, one task per core.
    int perGpu = FacerenderConf.get(DeviceConf.GPU_SLOTS, request.conf());
    this.threads = device.onGpu() ? device.gpus().size() * perGpu : coreSlots;
    this.tasksPerDevice = device.onGpu() ? perGpu : threads;
    // Loading libtorch and checking the model starts now and overlaps taking the output folder and
    // reading the input; input errors still come first (the outcome is looked at after them).
    RenderSettings probe =
        RenderSettings.from("preflight", request.conf(), threads, tasksPerDevice);
    String roots = FacerenderConf.get(FacerenderConf.MODEL_ROOTS, request.conf());
    this.models =
        CompletableFuture.supplyAsync(
            () ->
                RenderJob.preflight(
                    probe,
                    new ModelFiles(conf, null, roots),
                    Devices.forTask(
                        probe.simulateGpuBytes(),
                        probe.cpuMemoryFraction(),
                        probe.cpuMemoryBytes(),
                        device.resourcesForSlot(0))));
  }

  /**
   * The engine for {@code request} on {@code master} (null: local[*]), or null with the reason
   * given to {@code refused} when only Spark can run it: a cluster master, Spark settings of its
   * own ({@code spark.*} other than {@code spark.facerender.*}: resources, memory, event logs),
   * JSON Lines or partitioned input, video, append or resume, injected task failures, or more than
   * {@code maxFrames} input frames.
   */
  public static LocalEngine of(
      RenderRequest request,
      String master,
      List<String> sparkSettings,
      long maxFrames,
      Consumer<String> refused) {
    return of(request, master, sparkSettings, maxFrames, refused, null);
  }

  /**
   * As above, rendering where {@code device} says (null: decided here from {@code --device} and
   * this machine, {@link DeviceChoice}).
   */
  public static LocalEngine of(
      RenderRequest request,
      String master,
      List<String> sparkSettings,
      long maxFrames,
      Consumer<String> refused,
      DeviceChoice device) {
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
      } else if (framesTable.rows() > maxFrames) {
        reason = framesTable.rows() + " input frames, above " + maxFrames;
      }
    }
    if (reason != null) {
      refused.accept(reason);
      return null;
    }
    // The task slots local Spark would have: one thread per slot, each a partition at a time.
    int threads =
        SparkTopology.coreSlots(chosen, "", "1", Runtime.getRuntime().availableProcessors());
    DeviceChoice chosenDevice = device != null ? device : DeviceChoice.of(request.conf());
    return new LocalEngine(request, conf, framesTable, sourcesTable, threads, chosenDevice);
  }

  /**
   * Renders and writes what {@link RenderJob#run} writes; run.json says {@code "engine": "local"}.
   */
  public RunSummary run(ProgressListener progress) {
    long started = System.nanoTime();
    Phases phases = new Phases();
    return RunGuard.run(
        OutputFolder.of(conf, request.out()),
        request.mode(),
        "local",
        (out, lock, status, cancel) ->
            render(progress, out, lock, status, started, phases, cancel));
  }

  private RunSummary render(
      ProgressListener progress,
      OutputFolder out,
      OutputLock lock,
      RunStatus status,
      long started,
      Phases phases,
      CancelOnShutdown cancel) {
    String runId = status.runId();
    status.device(device.label(), device.reason());
    RenderSettings asked = RenderSettings.from(runId, request.conf(), threads, tasksPerDevice);
    LocalInput input = new LocalInput(frames, sources);
    Map<String, ClipPartitions.ClipFrames> clips = new HashMap<>();
    List<Row> rows = input.rows(clips);
    phases.end("read_input");
    RenderSettings checked = Futures.join(models);
    RenderSettings settings =
        asked.forExecutors(checked.model(), checked.enhancer(), input.base64Sources());
    phases.end("preflight");

    long inputFrames = frames.rows();
    new RunManifest(out, runId)
        .writeInput(
            new RunManifest.Input(
                runId,
                1,
                inputFrames,
                InputFingerprint.of(conf, request.frames(), input.framesSchema),
                InputFingerprint.of(conf, request.sources(), input.sourcesSchema)));
    List<List<Row>> partitions = ClipPartitions.spread(rows, clips, request.partitions(), threads);
    phases.end("count_and_plan");

    Map<String, Object> waves = status.waves();
    waves.put("total", 1);
    waves.put("committed", 0);
    OutputModes.removeDebris(out);
    status.running();
    String staging = Staging.wave(status.attemptId(), 0);
    AtomicLong done = new AtomicLong();
    // On GPUs the render slots leave most cores idle: those encode the slots' frames.
    int cores = Runtime.getRuntime().availableProcessors();
    LocalRender render =
        new LocalRender(
            settings,
            ReportSample.choose(clips),
            done,
            device.onGpu() ? EncodeHelpers.of(Math.max(1, cores - threads)) : null);
    long renderStart = System.nanoTime();
    RssSampler rss = new RssSampler();
    try {
      progress.start(inputFrames, done::get);
      render.run(
          partitions,
          threads,
          device,
          out.child(staging + "/frames"),
          status.attemptId(),
          conf,
          cancel);
      LocalWave.writeTable(
          conf, out, staging + "/errors", Schemas.ERRORS, render.errors(), TableRows::row);
      LocalWave.writeTable(
          conf, out, staging + "/metrics", Schemas.METRICS, render.metrics(), TableRows::row);
      LocalWave.commit(conf, out, lock, status, staging, inputFrames);
    } finally {
      progress.stop();
      rss.close();
    }
    long renderWall = System.nanoTime() - renderStart;
    phases.end("render_waves");
    List<FrameError> errors = new ArrayList<>(render.errors());
    errors.sort(
        Comparator.comparing(FrameError::clipId, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(
                FrameError::frameIndex, Comparator.nullsFirst(Comparator.naturalOrder())));
    List<BatchMetrics> batches = render.metrics();
    RunCheck.ReadBack read =
        new RunCheck.ReadBack(
            LocalCounts.read(conf, out.child("frames"), out.child("errors"), runId),
            () -> LocalDigest.of(batches, out.child("metrics")),
            () -> errors.subList(0, Math.min(errors.size(), RunCheck.ERROR_SAMPLE)),
            () -> null);
    return RunCheck.conclude(
        read,
        "local engine, " + threads + (device.onGpu() ? " GPU render slots" : " threads"),
        null,
        out,
        lock,
        status,
        settings,
        new TreeMap<>(request.conf()),
        inputFrames,
        renderWall,
        started,
        rss.peakBytes(),
        render.errorCodes(),
        render.samples(),
        phases);
  }
}
