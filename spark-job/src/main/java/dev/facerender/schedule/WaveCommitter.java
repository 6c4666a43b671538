package dev.facerender.schedule;

import dev.facerender.job.RunFailedException;
import dev.facerender.output.CommittedCounts;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.OutputLock;
import dev.facerender.output.OutputModes;
import dev.facerender.output.RunManifest;
import dev.facerender.output.RunStatus;
import dev.facerender.output.VideoRun;
import dev.facerender.output.WaveVideos;
import dev.facerender.output.query.RunTables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Publishes waves: reads back what a wave staged, refuses it unless every input frame of the wave
 * is there exactly once (and, for a video run, each clip with accepted frames has one whole staged
 * MP4; when appending, no frame or video is already in the output), checks the lock, then commits
 * it through the {@link RunManifest} (its record lists the wave's videos among its moves) and says
 * so in run.json.
 */
public final class WaveCommitter {
  private final RunTables tables;
  private final OutputFolder out;
  private final OutputLock lock;
  private final RunManifest manifest;
  private final RunStatus status;
  private final boolean append;
  private final VideoRun video;
  private Map<Integer, RunManifest.Wave> committed;
  private final List<Double> waveSeconds = new ArrayList<>();
  private long lastCommit;

  public WaveCommitter(
      RunTables tables,
      OutputFolder out,
      OutputLock lock,
      RunManifest manifest,
      RunStatus status,
      boolean append,
      VideoRun video) {
    this.tables = tables;
    this.out = out;
    this.lock = lock;
    this.manifest = manifest;
    this.status = status;
    this.append = append;
    this.video = video;
  }

  /**
   * Reads which waves an earlier attempt committed and writes run.json as "running"; returns the
   * input frames of those waves.
   */
  public long start(int waves, long[] waveFrames) {
    committed = manifest.waves();
    long skippedFrames = 0;
    for (RunManifest.Wave wave : committed.values()) {
      skippedFrames += waveFrames[wave.wave()];
    }
    Map<String, Object> progress = status.waves();
    progress.put("total", waves);
    progress.put("committed", committed.size());
    progress.put("committed_before_this_attempt", committed.size());
    progress.put("frames_committed_before_this_attempt", skippedFrames);
    progress.put("input_frames_this_attempt", 0L);
    progress.put("frames_rendered_this_attempt", 0L);
    // Render and commit of each wave this attempt ran, in order: what a resume would redo at most.
    progress.put("seconds_per_wave_this_attempt", waveSeconds);
    OutputModes.removeDebris(out);
    status.running();
    lastCommit = System.nanoTime();
    return skippedFrames;
  }

  public boolean isCommitted(int wave) {
    return committed.containsKey(wave);
  }

  /**
   * Checks and commits wave {@code wave}, staged in {@code staging} as {@code staged} says, of
   * {@code expected} frames.
   */
  public void commit(int wave, String staging, WaveTasks.StagedWave staged, long expected) {
    WaveVideos videos = staged.videos();
    CommittedCounts counts =
        tables.counts(
            out.child(staging + "/frames"),
            out.child(staging + "/errors"),
            video == null ? null : out.child(staging + "/" + VideoRun.MANIFEST),
            status.runId());
    boolean framesKept = video == null || video.framesKept();
    String problem = counts.problem(expected, "wave " + wave, framesKept);
    if (problem == null && videos != null) {
      problem = videos.problem(out, append);
    }
    if (problem != null) {
      throw new RunFailedException(
          "Exactly-once check failed: " + problem + ". The wave was not published.");
    }
    if (append && out.exists("frames")) {
      long overlap = tables.overlap(out.child(staging + "/frames"), out.child("frames"));
      if (overlap > 0) {
        throw new RunFailedException(
            overlap
                + " frames of wave "
                + wave
                + " are already in "
                + out.child("frames")
                + " (same clip_id and frame_index): appending them would duplicate frames. The"
                + " wave was not published; --mode append adds only new clips.");
      }
    }
    lock.check();
    RunManifest.Wave record =
        new RunManifest.Wave(
            wave,
            counts.clips(),
            counts.frameRows(),
            counts.errorRows(),
            counts.errorFrames(),
            videos == null ? 0 : videos.count(),
            staged.moves());
    manifest.commit(record);
    out.delete(staging);
    committed.put(wave, record);
    Map<String, Object> progress = status.waves();
    progress.put("committed", committed.size());
    progress.merge("input_frames_this_attempt", expected, (a, b) -> (Long) a + (Long) b);
    progress.merge(
        "frames_rendered_this_attempt", counts.accepted(framesKept), (a, b) -> (Long) a + (Long) b);
    long now = System.nanoTime();
    waveSeconds.add(Math.round((now - lastCommit) / 1e8) / 10.0);
    lastCommit = now;
    status.running();
  }
}
