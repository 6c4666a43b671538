package dev.facerender.schedule.local;

import dev.facerender.device.DeviceChoice;
import dev.facerender.io.Schemas;
import dev.facerender.io.TableRows;
import dev.facerender.job.Cancellation;
import dev.facerender.metrics.SampledFrame;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.Staging;
import dev.facerender.output.VideoRun;
import dev.facerender.output.WaveVideos;
import dev.facerender.partition.emit.EncoderPool;
import dev.facerender.schedule.ClipPartitions;
import dev.facerender.schedule.WaveTasks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;

/**
 * The local scheduler's tasks: each wave's rows read from the input, spread over partitions as
 * Spark spreads them, rendered on the render slots ({@link LocalRender}), and the wave's error and
 * metrics rows written as its staged tables.
 */
public final class LocalWaves implements WaveTasks {
  private final WaveTasks.Plan<LocalInput> plan;
  private final LocalInput input;
  private final Configuration conf;
  private final int threads;
  private final DeviceChoice device;
  private final Cancellation cancel;
  private final AtomicLong done = new AtomicLong();
  private final Map<String, Long> errorCodes = new TreeMap<>();
  private final List<SampledFrame> samples = new ArrayList<>();

  LocalWaves(
      WaveTasks.Plan<LocalInput> plan,
      Configuration conf,
      int threads,
      DeviceChoice device,
      Cancellation cancel) {
    this.plan = plan;
    this.input = plan.input();
    this.conf = conf;
    this.threads = threads;
    this.device = device;
    this.cancel = cancel;
  }

  @Override
  public LongSupplier progress() {
    return done::get;
  }

  @Override
  public void skipped(long frames) {
    done.addAndGet(frames);
  }

  @Override
  public StagedWave render(int wave, String staging) {
    List<Row> rows = input.rows(wave, plan.waves(), plan.video() == null ? null : plan.counts());
    List<List<Row>> partitions =
        ClipPartitions.spread(
            rows, plan.counts().wave(wave, plan.waves()), plan.partitions(), threads);
    // On GPUs the render slots leave most cores idle: those encode the slots' frames.
    int cores = Runtime.getRuntime().availableProcessors();
    OutputFolder out = plan.out();
    VideoRun video = plan.video();
    LocalRender render =
        new LocalRender(
            plan.settings(),
            plan.sample(),
            done,
            video == null ? null : video.output(staging),
            device.onGpu() ? EncoderPool.of(Math.max(1, cores - threads)) : null);
    // Names unique to the attempt and the wave: every wave's files end up in one table folder.
    String tag = String.format("%s-wave-%05d", plan.attemptId(), wave);
    render.run(partitions, threads, device, out.child(staging + "/frames"), tag, conf, cancel);
    LocalTaskSinks reported = render.reported();
    Staging.writeTable(
        conf, out, staging + "/errors", Schemas.ERRORS, reported.errors(), TableRows::row);
    Staging.writeTable(
        conf, out, staging + "/metrics", Schemas.METRICS, reported.metrics(), TableRows::row);
    reported.errorCodes().forEach((code, n) -> errorCodes.merge(code, n, Long::sum));
    samples.addAll(reported.samples());
    WaveVideos videos =
        video == null ? null : WaveVideos.stage(out, conf, reported.videos(), staging);
    return new StagedWave(Staging.moves(out, staging, videos), videos);
  }

  @Override
  public Map<String, Long> errorCodes() {
    return errorCodes;
  }

  @Override
  public List<SampledFrame> samples() {
    return samples;
  }

  @Override
  public void close() {
    // Each wave's render closed its pool and helpers: nothing is held between waves.
  }
}
