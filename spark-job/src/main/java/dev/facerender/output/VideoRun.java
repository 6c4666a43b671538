package dev.facerender.output;

import dev.facerender.config.OutputFormat;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.video.VideoOutput;
import dev.facerender.video.mp4.H264Encoders;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The driver's part of a video run: where each wave's tasks stage their MP4s ({@code <wave
 * staging>/videos}, names unique to each attempt), the {@code videos_manifest} table's schema, and
 * the check of the committed videos against that table. Each wave's own videos are read, checked
 * and moved by {@link WaveVideos} through the wave's commit. Not serializable.
 */
public final class VideoRun {
  public static final String VIDEOS = "videos";
  public static final String MANIFEST = "videos_manifest";

  public static final StructType MANIFEST_SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("clip_id", DataTypes.StringType, false)
          .add("file", DataTypes.StringType, false)
          .add("frames", DataTypes.LongType, false)
          .add("fps", DataTypes.StringType, false)
          .add("duration_seconds", DataTypes.DoubleType, false)
          .add("encoder", DataTypes.StringType, false)
          .add("audio_seconds", DataTypes.DoubleType, false)
          .add("audio", DataTypes.StringType, false)
          .add("bytes", DataTypes.LongType, false)
          .add("encode_seconds", DataTypes.DoubleType, false)
          .add("partition", DataTypes.IntegerType, false)
          .add("attempt", DataTypes.IntegerType, false);

  private final OutputFolder out;
  private final SerializableConfiguration hadoop;
  private final boolean framesKept;

  private VideoRun(Configuration hadoop, OutputFolder out, RenderSettings settings) {
    // An encoder this build lacks (libx264 in the LGPL build) stops the run before any task.
    H264Encoders.choose(settings.output().video().encoder());
    this.out = out;
    this.hadoop = new SerializableConfiguration(hadoop);
    this.framesKept = settings.output().format() != OutputFormat.NONE;
  }

  /** The run's video part, or null when {@code settings} make no video. */
  public static VideoRun of(Configuration hadoop, RenderSettings settings, OutputFolder out) {
    return settings.output().hasVideo() ? new VideoRun(hadoop, out, settings) : null;
  }

  /** Whether frames/ keeps the frames too (else the videos are the only copy). */
  public boolean framesKept() {
    return framesKept;
  }

  /** Where the tasks of the wave staged in {@code staging} put their MP4s. */
  public VideoOutput output(String staging) {
    return new VideoOutput(out.child(staging + "/" + VIDEOS), hadoop);
  }

  /** The final name of a clip's video, relative to the output folder. */
  public static String file(String clipId) {
    return VIDEOS + "/" + dev.facerender.io.SafeNames.of(clipId) + ".mp4";
  }

  /** The failure of a video run whose manifest table is missing. */
  public static String missingManifest(OutputFolder out) {
    return "the run makes videos but " + out.child(MANIFEST) + " is missing";
  }

  /**
   * Checks the committed videos by a listing of {@code videos/} against what the manifest table
   * records for the run ({@code recorded}: file and bytes): each of its files there once, whole
   * (the size the task recorded). Returns what is wrong, or null. Decodes nothing.
   */
  public static String checkCommitted(OutputFolder out, List<Map.Entry<String, Long>> recorded) {
    Map<String, Long> listed = new HashMap<>();
    out.sizes(VIDEOS).forEach((name, size) -> listed.put(VIDEOS + "/" + name, size));
    Map<String, Long> seen = new HashMap<>();
    for (Map.Entry<String, Long> row : recorded) {
      String file = row.getKey();
      long bytes = row.getValue();
      if (seen.put(file, bytes) != null) {
        return file + " is in " + MANIFEST + " twice: a clip has two videos";
      }
      Long size = listed.get(file);
      if (size == null) {
        return file + " is in " + MANIFEST + " but not in " + out.child(VIDEOS);
      }
      if (size != bytes) {
        return file + " holds " + size + " bytes, its task wrote " + bytes + ": a partial video";
      }
    }
    return null;
  }
}
