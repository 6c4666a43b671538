package dev.facerender.schedule;

import dev.facerender.metrics.SampledFrame;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.RunManifest;
import dev.facerender.output.VideoRun;
import dev.facerender.output.WaveVideos;
import dev.facerender.partition.sink.FrameSample;
import dev.facerender.partition.task.RenderSettings;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A run's tasks, wave by wave, as a scheduler runs them: each wave's partitions rendered into its
 * staging folder ({@code frames/}, {@code errors/}, {@code metrics/} and, for a video run, its MP4s
 * with {@code videos_manifest/}). Nothing there is output until the wave's commit moves it.
 */
public interface WaveTasks extends AutoCloseable {
  /** Input frames done so far, rendered or rejected, including those of running tasks. */
  LongSupplier progress();

  /** Counts frames an earlier attempt committed as done. */
  void skipped(long frames);

  /** Renders wave {@code wave} into {@code staging} (relative to the output folder). */
  StagedWave render(int wave, String staging);

  /** Rejected rows per error code over the waves rendered so far. */
  Map<String, Long> errorCodes();

  /** The report's sample frames rendered so far. */
  List<SampledFrame> samples();

  @Override
  void close();

  /**
   * What tasks run: {@code input} with {@code settings}, cut into {@code waves} by {@code counts}
   * and each wave into about {@code partitions} partitions (0: the scheduler's choice), sampling
   * {@code sample} for the report, writing videos when {@code video} is not null; files are named
   * with {@code attemptId}.
   */
  record Plan<I extends RunInput>(
      String attemptId,
      RenderSettings settings,
      OutputFolder out,
      I input,
      ClipCounts counts,
      int waves,
      int partitions,
      FrameSample sample,
      VideoRun video) {}

  /** A rendered wave: its staged files with their final places, and its videos (or null). */
  record StagedWave(List<RunManifest.Move> moves, WaveVideos videos) {}
}
