package dev.facerender.job;

import dev.facerender.concurrent.Futures;
import dev.facerender.config.FacerenderConf;
import dev.facerender.device.Device;
import dev.facerender.device.DeviceChoice;
import dev.facerender.metrics.SampledFrame;
import dev.facerender.model.FrameEnhancer;
import dev.facerender.model.FrameModel;
import dev.facerender.model.ModelCache;
import dev.facerender.model.ModelPreflight;
import dev.facerender.model.Models;
import dev.facerender.partition.RenderSettings;
import dev.facerender.report.ReportSample;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * The driver side of a render. Holds the output folder's lock for the whole run, renders wave after
 * wave into staging, checks what each wave committed and publishes it ({@link WaveCommitter}), then
 * checks the whole run's tables, writes the run files and, only when every check passed, the {@code
 * _SUCCESS} markers. Any failure leaves run.json "failed" with the reason and no marker. Not
 * serializable: it never leaves the driver.
 */
public final class RenderJob {
  /** Written last, only when every check passed. */
  static final String SUCCESS = "_SUCCESS";

  private final SparkSession spark;
  private final DeviceChoice device;

  public RenderJob(SparkSession spark) {
    this(spark, null);
  }

  /**
   * With the device decided for a local master ({@code null}: described from the session alone),
   * recorded in run.json and the report.
   */
  public RenderJob(SparkSession spark, DeviceChoice device) {
    this.spark = spark;
    this.device = device;
  }

  /** Renders and writes {@code frames/}, {@code errors/}, {@code metrics/}, run.json, report. */
  public RunSummary run(RenderRequest request, ProgressListener progress) {
    long started = System.nanoTime();
    Phases phases = new Phases();
    return RunGuard.run(
        OutputFolder.of(spark, request.out()),
        request.mode(),
        "spark",
        (out, lock, status, cancel) -> {
          cancel.onCancel(spark.sparkContext()::cancelAllJobs);
          return render(request, progress, out, lock, status, started, phases, cancel);
        });
  }

  private RunSummary render(
      RenderRequest request,
      ProgressListener progress,
      OutputFolder out,
      OutputLock lock,
      RunStatus status,
      long started,
      Phases phases,
      CancelOnShutdown cancel) {
    String runId = status.runId();
    String[] used = SparkTopology.device(spark, device, request.conf());
    status.device(used[0], used[1]);
    SparkTopology.Slots slots = SparkTopology.slots(spark);
    RenderSettings asked =
        RenderSettings.from(runId, request.conf(), slots.concurrentTasks(), slots.tasksPerDevice());
    // Loading libtorch and checking the model overlaps Spark's first reading of the input; input
    // errors still come first (they are raised before the models' outcome is looked at).
    CompletableFuture<RenderSettings> models =
        CompletableFuture.supplyAsync(
            () ->
                preflight(
                    asked,
                    new ModelFiles(
                        spark, FacerenderConf.get(FacerenderConf.MODEL_ROOTS, request.conf()))));
    RenderInput input = new RenderInput(spark, request);
    phases.end("read_input");
    RenderSettings checked = Futures.join(models);
    RenderSettings settings =
        checked.forExecutors(checked.model(), checked.enhancer(), input.base64Sources());
    phases.end("preflight");

    VideoRun video = VideoRun.of(spark, settings, out);
    RunManifest manifest = new RunManifest(out, runId);
    RunManifest.Input recorded = manifest.input();
    InputFingerprint frames = InputFingerprint.of(spark, request.frames(), input.frames.schema());
    InputFingerprint sources =
        InputFingerprint.of(spark, request.sources(), input.sources.schema());
    // One pass over the frames: the total, each wave's share, each wave's balance, the sample.
    ClipCounts counts = ClipCounts.of(input.frames);
    int waves;
    if (recorded != null) {
      frames.checkUnchanged("frames", recorded.frames(), out.toString());
      sources.checkUnchanged("sources", recorded.sources(), out.toString());
      waves = recorded.waves();
    } else {
      waves =
          Waves.count(
              counts.total(), FacerenderConf.get(FacerenderConf.WAVE_FRAMES, request.conf()));
    }
    long[] waveFrames = counts.waveFrames(waves);
    long inputFrames = counts.total();
    if (recorded == null) {
      manifest.writeInput(new RunManifest.Input(runId, waves, inputFrames, frames, sources));
    }
    phases.end("count_and_plan");

    LongAccumulator done = spark.sparkContext().longAccumulator("frames done");
    CollectionAccumulator<SampledFrame> samples =
        spark.sparkContext().collectionAccumulator("report sample");
    WaveRunner runner =
        new WaveRunner(
            spark,
            settings,
            out,
            input.stream(video != null),
            counts,
            waves,
            request.partitions(),
            done,
            ReportSample.choose(counts.clips()),
            samples,
            video);
    WaveCommitter committer =
        new WaveCommitter(
            spark, out, lock, manifest, status, request.mode().equals("append"), video);
    long renderStart = System.nanoTime();
    committer.start(waves, waveFrames, done);
    RssSampler rss = new RssSampler();
    LiveFrames live = LiveFrames.follow(spark.sparkContext(), done);
    try {
      progress.start(inputFrames, live);
      for (int wave = 0; wave < waves; wave++) {
        if (!committer.isCommitted(wave)) {
          cancel.check();
          String staging = Staging.wave(status.attemptId(), wave);
          runner.render(wave, staging);
          committer.commit(wave, staging, runner.moves(staging), waveFrames[wave], runner.videos());
        }
      }
      cancel.check();
      AfterCommit.tidy("removing " + Staging.ROOT, () -> out.delete(Staging.ROOT));
    } finally {
      progress.stop();
      live.close();
      rss.close();
    }
    long renderWall = System.nanoTime() - renderStart;
    phases.end("render_waves");
    return RunCheck.finish(
        spark,
        out,
        lock,
        status,
        settings,
        new TreeMap<>(request.conf()),
        inputFrames,
        renderWall,
        started,
        rss.peakBytes(),
        runner.errorCodes(),
        samples.value(),
        phases);
  }

  /**
   * Checks, stages and ships the model files, and runs them on the driver so a missing or broken
   * file stops the run before any task. Returns the settings executors get (with {@code
   * base64Sources} still to set from the input).
   */
  static RenderSettings preflight(RenderSettings settings, ModelFiles files) {
    return preflight(settings, files, null);
  }

  /**
   * As {@link #preflight(RenderSettings, ModelFiles)}; with {@code tasksDevice} (the local engine,
   * whose tasks run in this JVM) the models checked are the ones tasks take from {@link
   * ModelCache}, loaded once and kept, rather than a driver copy closed after the check.
   */
  static RenderSettings preflight(RenderSettings settings, ModelFiles files, Device tasksDevice) {
    ModelFiles.Shipped model = files.ship(settings.model(), "Model");
    if (tasksDevice != null) {
      ModelPreflight.check(
          ModelCache.get(model.executorSpec(), settings.torch(), tasksDevice),
          settings.coeffCount(),
          settings.windowWidth(),
          tasksDevice.torchDevice());
    } else {
      try (FrameModel loaded = Models.load(model.driverSpec(), "cpu", settings.torch())) {
        ModelPreflight.check(loaded, settings.coeffCount(), settings.windowWidth());
      }
    }
    String enhancer = settings.enhancer();
    if (settings.hasEnhancer()) {
      ModelFiles.Shipped shipped = files.ship(settings.enhancer(), "Enhancer");
      if (tasksDevice != null) {
        ModelPreflight.check(
            ModelCache.enhancer(shipped.executorSpec(), tasksDevice), tasksDevice.torchDevice());
      } else {
        try (FrameEnhancer loaded = Models.loadEnhancer(shipped.driverSpec())) {
          ModelPreflight.check(loaded);
        }
      }
      enhancer = shipped.executorSpec();
    }
    return settings.forExecutors(model.executorSpec(), enhancer, false);
  }

  /** The markers readers wait on: each table's, then the folder's. */
  static void markSuccess(OutputFolder out, String runId) {
    byte[] marker = (runId + "\n").getBytes(StandardCharsets.UTF_8);
    for (String table : WaveRunner.TABLES) {
      out.writeAtomically(table + "/" + SUCCESS, marker);
    }
    if (out.exists(VideoRun.MANIFEST)) {
      out.writeAtomically(VideoRun.MANIFEST + "/" + SUCCESS, marker);
    }
    out.writeAtomically(SUCCESS, marker);
  }
}
