package dev.facerender.export;

import dev.facerender.io.InputException;
import dev.facerender.io.Tables;
import dev.facerender.job.RunFailedException;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.RunManifest;
import dev.facerender.output.Staging;
import dev.facerender.output.SuccessMarkers;
import dev.facerender.output.VideoRun;
import dev.facerender.video.VideoOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The commit of a video export: checks what the successful task attempts staged (one video per
 * clip, each the size its task wrote, all frames in them, by a listing), writes the staged {@code
 * videos_manifest/} and commits it all as a run's wave does: one video-only wave of the export's
 * {@link RunManifest} (the commit point), then the moves. A crash after the record is finished by
 * the next export, as a resumed run finishes its committed waves; one before it leaves only
 * staging, which the next export removes.
 */
public final class ExportCommit {
  /** How export ids, and so their records and staging folders, begin. */
  static final String EXPORT_PREFIX = "export-";

  private final SparkSession spark;
  private final OutputFolder out;
  private final String exportId;
  private final VideoOptions options;

  ExportCommit(SparkSession spark, OutputFolder out, String exportId, VideoOptions options) {
    this.spark = spark;
    this.out = out;
    this.exportId = exportId;
    this.options = options;
  }

  /** Finishes the moves of an export that crashed after its commit point; drops staged debris. */
  void finishEarlier() {
    for (String id : RunManifest.runIds(out)) {
      // Staging is dropped only after the moves: without it the export finished, and its videos
      // may since have been removed on purpose, to export again.
      if (id.startsWith(EXPORT_PREFIX) && out.exists(Staging.ROOT + "/" + id)) {
        new RunManifest(out, id).publishCommitted();
        markDone(id);
      }
    }
    for (String name : out.list(Staging.ROOT)) {
      if (name.startsWith(EXPORT_PREFIX)) {
        dropStaging(Staging.ROOT + "/" + name);
      }
    }
  }

  /** Videos are written once: a folder that has them already is refused. */
  void refuseExisting() {
    if (!out.sizes(VideoRun.VIDEOS).isEmpty() || out.exists(VideoRun.MANIFEST)) {
      throw new InputException(
          out.child(VideoRun.VIDEOS)
              + " already holds videos: each clip's MP4 is written once. Export the run into"
              + " a copy, or remove videos/ and videos_manifest/ first.");
    }
  }

  /** Checks and commits the {@code staged} rows of the export; {@code frameRows} were read. */
  VideoExport.Result commit(List<Row> staged, String staging, long frameRows) {
    List<String> errors = new ArrayList<>();
    Set<String> clips = new HashSet<>();
    Map<String, Long> sizes = out.sizes(staging + "/" + VideoRun.VIDEOS);
    List<RunManifest.Move> moves = new ArrayList<>();
    List<Row> manifest = new ArrayList<>();
    long frames = 0;
    for (Row row : staged) {
      String clip = row.getAs("clip_id");
      if (row.getAs("error_code") != null) {
        errors.add(row.<String>getAs("error_code") + " " + row.<String>getAs("error_message"));
        continue;
      }
      if (!clips.add(clip)) {
        throw new RunFailedException("Clip '" + clip + "' has two staged videos: not committed.");
      }
      String name = new Path(row.<String>getAs("staged_path")).getName();
      long bytes = row.getAs("bytes");
      Long size = sizes.get(name);
      if (size == null || size != bytes) {
        throw new RunFailedException(
            "The staged video of clip '"
                + clip
                + "' is "
                + (size == null ? "missing" : size + " bytes, not " + bytes)
                + ": not committed.");
      }
      frames += row.<Long>getAs("frames");
      moves.add(
          new RunManifest.Move(staging + "/" + VideoRun.VIDEOS + "/" + name, VideoRun.file(clip)));
      manifest.add(manifestRow(row, clip));
    }
    if (!errors.isEmpty()) {
      dropStaging(staging);
      throw new InputException(
          errors.size()
              + " clips cannot be exported, nothing was committed; first: "
              + errors.get(0)
              + (errors.size() > 1
                  ? "; then: " + String.join("; ", errors.subList(1, Math.min(errors.size(), 5)))
                  : ""));
    }
    if (frames != frameRows) {
      dropStaging(staging);
      throw new RunFailedException(
          "The videos hold "
              + frames
              + " frames but frames/ has "
              + frameRows
              + ": nothing was committed.");
    }
    String table = staging + "/" + VideoRun.MANIFEST;
    spark
        .createDataFrame(manifest, VideoRun.MANIFEST_SCHEMA)
        .coalesce(1)
        .write()
        .mode(SaveMode.ErrorIfExists)
        .parquet(out.child(table));
    for (String name : out.list(table)) {
      if (!Tables.isHidden(name)) {
        moves.add(new RunManifest.Move(table + "/" + name, VideoRun.MANIFEST + "/" + name));
      }
    }
    new RunManifest(out, exportId).commitVideos(0, clips.size(), clips.size(), moves);
    markDone(exportId);
    dropStaging(staging);
    return new VideoExport.Result(clips.size(), frames, out.child(VideoRun.VIDEOS));
  }

  /** Deletes the export's staging, and the staging root when nothing else is in it. */
  private void dropStaging(String staging) {
    out.delete(staging);
    if (out.list(Staging.ROOT).isEmpty()) {
      out.delete(Staging.ROOT);
    }
  }

  private void markDone(String id) {
    out.writeAtomically(
        VideoRun.MANIFEST + "/" + SuccessMarkers.NAME,
        (id + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private Row manifestRow(Row row, String clip) {
    return RowFactory.create(
        row.<String>getAs("run_id"),
        clip,
        VideoRun.file(clip),
        row.<Long>getAs("frames"),
        options.fps().toString(),
        row.<Double>getAs("seconds"),
        row.<String>getAs("encoder"),
        row.<Double>getAs("audio_seconds"),
        row.<String>getAs("audio"),
        row.<Long>getAs("bytes"),
        row.<Long>getAs("encode_nanos") / 1e9,
        row.<Integer>getAs("partition"),
        row.<Integer>getAs("attempt"));
  }
}
