package dev.facerender.partition.video;

import dev.facerender.config.OutputFormat;
import dev.facerender.metrics.FrameError;
import dev.facerender.metrics.VideoFile;
import dev.facerender.partition.frame.ClipSource;
import dev.facerender.partition.frame.PendingFrame;
import dev.facerender.partition.sink.TaskSinks;
import dev.facerender.partition.task.FrameRows;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.partition.task.TaskInfo;
import dev.facerender.video.AudioDecoder;
import dev.facerender.video.AudioException;
import dev.facerender.video.AudioTrack;
import dev.facerender.video.ClipAudio;
import dev.facerender.video.VideoOptions;
import dev.facerender.video.VideoOutput;
import dev.facerender.video.mp4.H264Encoders;
import dev.facerender.video.mp4.Mp4Writer;
import org.apache.spark.sql.Row;

/**
 * A task's MP4s, one per clip: a clip's frames stream into its encoder as their batches are
 * collected (in frame order; clips are whole within a partition), and when the next clip starts or
 * the partition ends the file is finished, staged under {@code videos/_temporary} with a name
 * unique to this attempt, and reported to the sinks. The driver commits the staged files of
 * successful attempts only.
 *
 * <p>Ownership: the open {@link Mp4Writer} (native encoders) and its local file belong to this
 * object, on the task thread; {@link #close} frees the writer and deletes the local file whether or
 * not the clip finished, and is idempotent (the task's completion listener calls it).
 */
public final class ClipVideos implements AutoCloseable {
  static final String AUDIO = "audio";

  private final RenderSettings settings;
  private final VideoOptions options;
  private final VideoOutput output;
  private final TaskSinks sinks;
  private final TaskInfo task;

  private String encoder;
  private ClipVideoFile file;
  private String clipId;
  private AudioTrack track;
  private long encodeNanos;
  private int staged;
  private boolean closed;

  public ClipVideos(RenderSettings settings, VideoOutput output, TaskSinks sinks, TaskInfo task) {
    this.settings = settings;
    this.options = settings.output().video();
    this.output = output;
    this.sinks = sinks;
    this.task = task;
  }

  /**
   * Checks a clip's source row for video: an even frame size, and its audio (bytes or a path)
   * decoded and matched against the clip's input frame count. Attaches the audio to {@code source};
   * returns the error every frame of the clip gets instead, or null.
   */
  public FrameError startClip(Row row, String clip, ClipSource source) {
    if (source.width() % 2 != 0 || source.height() % 2 != 0) {
      return error(
          clip,
          "VIDEO_ODD_SIZE",
          "source of clip '"
              + clip
              + "' is "
              + source.width()
              + "x"
              + source.height()
              + ": H.264 yuv420p needs even sizes; crop or pad the source by one pixel");
    }
    try {
      byte[] bytes =
          ClipAudioInput.bytes(
              row, FrameRows.AUDIO, FrameRows.AUDIO_PATH, settings.input().base64Sources(), output);
      if (bytes == null) {
        return null;
      }
      ClipAudio audio = AudioDecoder.decode(bytes);
      long frames = row.isNullAt(FrameRows.CLIP_FRAMES) ? 0 : row.getLong(FrameRows.CLIP_FRAMES);
      source.attachAudio(AudioTrack.match(audio, frames, options, clip));
      return null;
    } catch (AudioException e) {
      String message = e.getMessage();
      return error(
          clip,
          e.code(),
          message.startsWith("clip '") ? message : "audio of clip '" + clip + "': " + message);
    }
  }

  /** Adds one rendered frame ({@code pixels} as the renderer made them) to its clip's video. */
  public void add(PendingFrame frame, byte[] pixels) {
    long start = System.nanoTime();
    if (!frame.clipId().equals(clipId)) {
      finish();
      open(frame);
    }
    file.write(pixels);
    encodeNanos += System.nanoTime() - start;
  }

  /** Finishes and stages the current clip's video, if any. */
  public void finish() {
    if (file == null) {
      return;
    }
    long start = System.nanoTime();
    ClipAudio audio = track == null ? null : track.audio();
    ClipVideoFile.Staged done = file.finishAndStage(audioSamples(audio), output, task, staged++);
    file = null;
    Mp4Writer.Result result = done.result();
    encodeNanos += System.nanoTime() - start;
    sinks.video(
        new VideoFile(
            settings.runId(),
            clipId,
            done.path(),
            result.frames(),
            options.fps().toString(),
            result.seconds(),
            result.encoder(),
            result.audioSeconds(),
            audioNote(result),
            done.bytes(),
            encodeNanos,
            task.partition(),
            task.attempt()));
  }

  /** Frees the current clip's writer and local file, finished or not; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (file != null) {
      file.close();
      file = null;
    }
  }

  private void open(PendingFrame frame) {
    if (encoder == null) {
      encoder = H264Encoders.choose(options.encoder());
    }
    clipId = frame.clipId();
    track = frame.source().audio();
    encodeNanos = 0;
    file =
        ClipVideoFile.open(
            frame.source().width(),
            frame.source().height(),
            settings.output().format() == OutputFormat.RAW,
            options,
            encoder,
            track == null ? null : track.audio());
  }

  /**
   * All the audio when every expected frame made it; else (frames rejected inside the clip, each
   * with its own error row) cut at the video's end so nothing plays over a missing picture.
   */
  private long audioSamples(ClipAudio audio) {
    if (audio == null) {
      return 0;
    }
    return track.expectedFrames() == file.framesWritten()
        ? audio.samples()
        : Math.round(options.fps().seconds(file.framesWritten()) * audio.sampleRate());
  }

  private String audioNote(Mp4Writer.Result result) {
    if (track == null) {
      return "none";
    }
    return track.expectedFrames() == result.frames()
        ? track.audio().sourceFormat() + ", " + track.note()
        : track.audio().sourceFormat()
            + ", cut to the video: "
            + (track.expectedFrames() - result.frames())
            + " of its frames were rejected";
  }

  private FrameError error(String clip, String code, String message) {
    return new FrameError(settings.runId(), clip, null, AUDIO, code, message);
  }
}
