package dev.facerender.run;

import dev.facerender.concurrent.Futures;
import dev.facerender.config.FacerenderConf;
import dev.facerender.job.DeviceUse;
import dev.facerender.job.Phases;
import dev.facerender.job.ProgressListener;
import dev.facerender.job.RenderRequest;
import dev.facerender.job.RunSummary;
import dev.facerender.output.AfterCommit;
import dev.facerender.output.InputFingerprint;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.OutputLock;
import dev.facerender.output.RunManifest;
import dev.facerender.output.RunStatus;
import dev.facerender.output.Staging;
import dev.facerender.output.VideoRun;
import dev.facerender.output.query.RunTables;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.report.ReportSample;
import dev.facerender.schedule.ClipCounts;
import dev.facerender.schedule.ClipPartitions;
import dev.facerender.schedule.RunInput;
import dev.facerender.schedule.Scheduler;
import dev.facerender.schedule.WaveCommitter;
import dev.facerender.schedule.WaveTasks;
import dev.facerender.schedule.Waves;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * One run, whichever {@link Scheduler} runs its tasks. Holds the output folder's lock for the whole
 * run ({@link RunGuard}), checks the input and the models, plans the waves (or takes a resumed
 * run's plan from its manifest), renders wave after wave into staging, checks what each wave staged
 * and publishes it ({@link WaveCommitter}), then checks the whole run's tables, writes the run
 * files and, only when every check passed, the {@code _SUCCESS} markers ({@link RunCheck}). Any
 * failure leaves run.json "failed" with the reason and no marker.
 */
public final class RunFlow<I extends RunInput> {
  private final Scheduler<I> scheduler;

  RunFlow(Scheduler<I> scheduler) {
    this.scheduler = scheduler;
  }

  /** Renders and writes {@code frames/}, {@code errors/}, {@code metrics/}, run.json, report. */
  RunSummary run(RenderRequest request, ProgressListener progress) {
    long started = System.nanoTime();
    Phases phases = new Phases();
    return RunGuard.run(
        OutputFolder.of(scheduler.hadoop(), request.out()),
        request.mode(),
        scheduler.engine(),
        (out, lock, status, cancel) ->
            render(request, progress, new Run(out, lock, status, cancel), started, phases));
  }

  /** What {@link RunGuard} hands the body. */
  private record Run(
      OutputFolder out, OutputLock lock, RunStatus status, CancelOnShutdown cancel) {}

  private RunSummary render(
      RenderRequest request, ProgressListener progress, Run run, long started, Phases phases) {
    RunStatus status = run.status();
    OutputFolder out = run.out();
    String runId = status.runId();
    DeviceUse used = scheduler.device(request.conf());
    status.device(used.devices(), used.reason());
    RenderSettings asked = scheduler.settings(runId, request.conf());
    // Loading libtorch and checking the model overlaps reading the input; input errors still come
    // first (they are raised before the models' outcome is looked at).
    CompletableFuture<RenderSettings> models =
        CompletableFuture.supplyAsync(() -> scheduler.preflight(asked, request.conf()));
    I input = scheduler.input(request);
    phases.end("read_input");
    RenderSettings checked = Futures.join(models);
    RenderSettings settings =
        checked.forExecutors(
            checked.network().model(), checked.network().enhancer(), input.base64Sources());
    phases.end("preflight");

    VideoRun video = VideoRun.of(scheduler.hadoop(), settings, out);
    RunManifest manifest = new RunManifest(out, runId);
    RunManifest.Input recorded = manifest.input();
    InputFingerprint frames =
        InputFingerprint.of(scheduler.hadoop(), request.frames(), input.framesSchema());
    InputFingerprint sources =
        InputFingerprint.of(scheduler.hadoop(), request.sources(), input.sourcesSchema());
    // One pass over the frames: the total, each wave's share, each wave's balance, the sample.
    ClipCounts counts = input.counts();
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

    WaveCommitter committer =
        new WaveCommitter(
            new RunTables(scheduler.tables()),
            out,
            run.lock(),
            manifest,
            status,
            request.mode().equals("append"),
            video);
    WaveTasks.Plan<I> plan =
        new WaveTasks.Plan<>(
            status.attemptId(),
            settings,
            out,
            input,
            counts,
            waves,
            request.partitions(),
            ReportSample.choose(spans(counts.clips())),
            video);
    try (WaveTasks tasks = scheduler.tasks(plan, run.cancel())) {
      long renderStart = System.nanoTime();
      tasks.skipped(committer.start(waves, waveFrames));
      RssSampler rss = new RssSampler();
      try {
        progress.start(inputFrames, tasks.progress());
        for (int wave = 0; wave < waves; wave++) {
          if (!committer.isCommitted(wave)) {
            run.cancel().check();
            String staging = Staging.wave(status.attemptId(), wave);
            committer.commit(wave, staging, tasks.render(wave, staging), waveFrames[wave]);
          }
        }
        run.cancel().check();
        AfterCommit.tidy("removing " + Staging.ROOT, () -> out.delete(Staging.ROOT));
      } finally {
        progress.stop();
        rss.close();
      }
      long renderWall = System.nanoTime() - renderStart;
      phases.end("render_waves");
      return RunCheck.finish(
          scheduler,
          out,
          run.lock(),
          status,
          settings,
          new TreeMap<>(request.conf()),
          new RunCheck.Totals(inputFrames, renderWall, started, rss.peakBytes()),
          tasks,
          phases);
    }
  }

  /** Clips with a valid frame, by the span of their valid frame indexes. */
  private static Map<String, ReportSample.Span> spans(
      Map<String, ClipPartitions.ClipFrames> clips) {
    Map<String, ReportSample.Span> spans = new HashMap<>();
    clips.forEach(
        (clip, frames) -> {
          if (frames.first() != null) {
            spans.put(clip, new ReportSample.Span(frames.first(), frames.last()));
          }
        });
    return spans;
  }
}
