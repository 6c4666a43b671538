package dev.facerender.output;

import dev.facerender.metrics.VideoFile;
import dev.facerender.partition.sink.TaskRows;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One wave's videos as its successful task attempts staged them: read from those attempts' video
 * row files (a failed attempt's files and staged MP4s are never named, so never committed), written
 * as the wave's staged {@code videos_manifest} table, checked by a listing and moved by the wave's
 * commit. The driver holds one small record per clip of the wave, as the wave's manifest lists each
 * video anyway.
 */
public final class WaveVideos {
  private final String staging;
  private final List<VideoFile> files;

  private WaveVideos(String staging, List<VideoFile> files) {
    this.staging = staging;
    this.files = List.copyOf(files);
  }

  /** The videos Spark's successful {@code tasks} reported in their video row files. */
  public static List<VideoFile> reported(Configuration conf, List<TaskRows> tasks) {
    List<VideoFile> files = new ArrayList<>();
    for (TaskRows task : tasks) {
      if (task.videosFile() != null) {
        files.addAll(read(conf, task.videosFile()));
      }
    }
    return files;
  }

  /** Writes {@code staging}'s manifest table of {@code reported}, whichever scheduler ran. */
  public static WaveVideos stage(
      OutputFolder out, Configuration conf, List<VideoFile> reported, String staging) {
    List<VideoFile> files = new ArrayList<>(reported);
    files.sort(Comparator.comparing(VideoFile::clipId));
    Staging.writeTable(
        conf,
        out,
        staging + "/" + VideoRun.MANIFEST,
        VideoRun.MANIFEST_SCHEMA,
        files,
        WaveVideos::row);
    return new WaveVideos(staging, files);
  }

  public int count() {
    return files.size();
  }

  /** Each staged MP4 and its final {@code videos/<clip>.mp4}. */
  public List<RunManifest.Move> moves() {
    return files.stream()
        .map(
            f ->
                new RunManifest.Move(
                    staging + "/" + VideoRun.VIDEOS + "/" + new Path(f.stagedPath()).getName(),
                    VideoRun.file(f.clipId())))
        .toList();
  }

  /**
   * What is wrong with the staged videos, by a listing of the staging folder: a clip twice, a file
   * missing or not the size its task wrote; and, when {@code append}, a clip whose video is already
   * in {@code videos/}. Null when nothing is.
   */
  public String problem(OutputFolder out, boolean append) {
    Map<String, Long> staged = out.sizes(staging + "/" + VideoRun.VIDEOS);
    Set<String> committed = append ? new HashSet<>(out.sizes(VideoRun.VIDEOS).keySet()) : Set.of();
    Set<String> clips = new HashSet<>();
    for (VideoFile f : files) {
      if (!clips.add(f.clipId())) {
        return "clip '" + f.clipId() + "' has two staged videos";
      }
      String name = new Path(f.stagedPath()).getName();
      Long size = staged.get(name);
      if (size == null || size != f.bytes()) {
        return "the staged video of clip '"
            + f.clipId()
            + "' ("
            + name
            + ") is "
            + (size == null
                ? "missing"
                : size + " bytes, not the " + f.bytes() + " its task wrote");
      }
      String target = VideoRun.file(f.clipId());
      if (committed.contains(target.substring(VideoRun.VIDEOS.length() + 1))) {
        return target
            + " is already in the output: appending would replace a finished run's video;"
            + " --mode append adds only new clips";
      }
    }
    return null;
  }

  private static List<VideoFile> read(Configuration conf, String file) {
    Path path = new Path(file);
    List<VideoFile> files = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(path.getFileSystem(conf).open(path), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        files.add(TaskRows.JSON.readValue(line, VideoFile.class));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the task's video rows in " + file, e);
    }
    return files;
  }

  private static Row row(VideoFile f) {
    return RowFactory.create(
        f.runId(),
        f.clipId(),
        VideoRun.file(f.clipId()),
        f.frames(),
        f.fps(),
        f.seconds(),
        f.encoder(),
        f.audioSeconds(),
        f.audio(),
        f.bytes(),
        f.encodeNanos() / 1e9,
        f.partition(),
        f.attempt());
  }
}
