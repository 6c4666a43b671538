package dev.facerender.partition.video;

import static java.util.Objects.requireNonNull;

import dev.facerender.codec.ImageCodec;
import dev.facerender.codec.ImageDecodeException;
import dev.facerender.codec.RgbImage;
import dev.facerender.partition.task.TaskInfo;
import dev.facerender.video.AudioDecoder;
import dev.facerender.video.AudioException;
import dev.facerender.video.AudioTrack;
import dev.facerender.video.VideoOptions;
import dev.facerender.video.VideoOutput;
import dev.facerender.video.mp4.H264Encoders;
import dev.facerender.video.mp4.Mp4Writer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The executor side of exporting a finished run's frames as MP4s: rows of {@link #INPUT} (per clip
 * its audio row first, then its frames in order; clips whole within a partition) in, one row of
 * {@link #OUTPUT} per clip out: the staged file (named for this attempt by {@link VideoOutput}) or
 * why the clip has none. The driver keeps the rows of the successful attempts only (a result
 * stage's), so a retried task's files are never committed.
 *
 * <p>Ownership: the open {@link Mp4Writer} and its local file belong to the task thread; the task's
 * completion listener frees them whether or not the clip finished.
 */
public final class ExportVideosFunction implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  public static final StructType INPUT =
      new StructType()
          .add("clip_id", DataTypes.StringType, false)
          .add("is_audio", DataTypes.BooleanType, false)
          .add("frame_index", DataTypes.IntegerType, true)
          .add("width", DataTypes.IntegerType, true)
          .add("height", DataTypes.IntegerType, true)
          .add("format", DataTypes.StringType, true)
          .add("image", DataTypes.BinaryType, true)
          .add("run_id", DataTypes.StringType, true)
          .add("audio", DataTypes.BinaryType, true)
          .add("audio_path", DataTypes.StringType, true)
          .add("clip_frames", DataTypes.LongType, true);

  public static final StructType OUTPUT =
      new StructType()
          .add("run_id", DataTypes.StringType, true)
          .add("clip_id", DataTypes.StringType, false)
          .add("staged_path", DataTypes.StringType, true)
          .add("frames", DataTypes.LongType, false)
          .add("seconds", DataTypes.DoubleType, false)
          .add("encoder", DataTypes.StringType, true)
          .add("audio_seconds", DataTypes.DoubleType, false)
          .add("audio", DataTypes.StringType, true)
          .add("bytes", DataTypes.LongType, false)
          .add("encode_nanos", DataTypes.LongType, false)
          .add("partition", DataTypes.IntegerType, false)
          .add("attempt", DataTypes.IntegerType, false)
          .add("error_code", DataTypes.StringType, true)
          .add("error_message", DataTypes.StringType, true);

  private final VideoOptions options;
  private final VideoOutput output;

  public ExportVideosFunction(VideoOptions options, VideoOutput output) {
    this.options = requireNonNull(options, "options is null");
    this.output = requireNonNull(output, "output is null");
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    Clips clips = new Clips(rows, TaskInfo.current());
    TaskContext context = TaskContext.get();
    if (context != null) {
      context.addTaskCompletionListener((TaskCompletionListener) done -> clips.close());
    }
    List<Row> out = new ArrayList<>();
    clips.run(out);
    return out.iterator();
  }

  /** One task's clips, encoded one after the other. */
  private final class Clips implements AutoCloseable {
    private final Iterator<Row> rows;
    private final TaskInfo task;
    private final String encoder = H264Encoders.choose(options.encoder());
    private ClipVideoFile file;
    private int staged;

    Clips(Iterator<Row> rows, TaskInfo task) {
      this.rows = rows;
      this.task = task;
    }

    void run(List<Row> out) {
      String clip = null;
      String runId = null;
      AudioTrack track = null;
      String error = null;
      String errorCode = null;
      long start = 0;
      while (rows.hasNext()) {
        Row row = rows.next();
        String id = row.getString(0);
        if (!id.equals(clip)) {
          if (clip != null) {
            out.add(finish(clip, runId, track, errorCode, error, start));
          }
          clip = id;
          runId = null;
          track = null;
          errorCode = null;
          error = null;
          start = System.nanoTime();
        }
        if (row.getBoolean(1)) {
          try {
            track = audio(row, id);
          } catch (AudioException e) {
            errorCode = e.code();
            error = "audio of clip '" + id + "': " + e.getMessage();
          }
          continue;
        }
        runId = row.isNullAt(7) ? runId : row.getString(7);
        if (errorCode == null) {
          try {
            write(row, id, track);
          } catch (ImageDecodeException | IllegalArgumentException e) {
            errorCode = "EXPORT_BAD_FRAME";
            error = "frame " + row.getInt(2) + " of clip '" + id + "': " + e.getMessage();
            discard();
          }
        }
      }
      if (clip != null) {
        out.add(finish(clip, runId, track, errorCode, error, start));
      }
    }

    private AudioTrack audio(Row row, String clip) throws AudioException {
      // The driver decoded base64 text already (VideoExport): the column holds the file's bytes.
      byte[] bytes = ClipAudioInput.bytes(row, 8, 9, false, output);
      if (bytes == null) {
        return null;
      }
      long frames = row.isNullAt(10) ? 0 : row.getLong(10);
      return AudioTrack.match(AudioDecoder.decode(bytes), frames, options, clip);
    }

    private void write(Row row, String clip, AudioTrack track) throws ImageDecodeException {
      int width = row.getInt(3);
      int height = row.getInt(4);
      boolean raw = row.getString(5).equals("raw");
      byte[] pixels = (byte[]) row.get(6);
      if (!raw) {
        RgbImage image = ImageCodec.decode(pixels);
        if (image.width() != width || image.height() != height) {
          throw new IllegalArgumentException(
              "the image is "
                  + image.width()
                  + "x"
                  + image.height()
                  + ", its row says "
                  + width
                  + "x"
                  + height);
        }
        pixels = image.bgr();
      }
      if (file == null) {
        file =
            ClipVideoFile.open(
                width, height, raw, options, encoder, track == null ? null : track.audio());
      }
      file.write(pixels);
    }

    private Row finish(
        String clip, String runId, AudioTrack track, String code, String error, long start) {
      if (code != null || file == null) {
        discard();
        return RowFactory.create(
            runId,
            clip,
            null,
            0L,
            0.0,
            null,
            0.0,
            null,
            0L,
            0L,
            task.partition(),
            task.attempt(),
            code == null ? "EXPORT_NO_FRAMES" : code,
            error == null ? "clip '" + clip + "' has no frames in frames/" : error);
      }
      ClipVideoFile.Staged done =
          file.finishAndStage(track == null ? 0 : track.audio().samples(), output, task, staged++);
      file = null;
      Mp4Writer.Result result = done.result();
      return RowFactory.create(
          runId,
          clip,
          done.path(),
          result.frames(),
          result.seconds(),
          result.encoder(),
          result.audioSeconds(),
          track == null ? "none" : track.audio().sourceFormat() + ", " + track.note(),
          done.bytes(),
          System.nanoTime() - start,
          task.partition(),
          task.attempt(),
          null,
          null);
    }

    private void discard() {
      if (file != null) {
        file.close();
        file = null;
      }
    }

    @Override
    public void close() {
      discard();
    }
  }
}
