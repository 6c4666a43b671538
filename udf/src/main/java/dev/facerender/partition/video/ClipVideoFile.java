package dev.facerender.partition.video;

import dev.facerender.partition.task.TaskInfo;
import dev.facerender.video.ClipAudio;
import dev.facerender.video.VideoOptions;
import dev.facerender.video.VideoOutput;
import dev.facerender.video.mp4.Mp4Writer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One clip's MP4, from its first frame to its staged file: encoded into a local file, then copied
 * to {@link VideoOutput} under a name unique to the task attempt. What a render's tasks ({@link
 * ClipVideos}) and an export's ({@link ExportVideosFunction}) both write.
 *
 * <p>Ownership: the open {@link Mp4Writer} (native encoders) and the local file belong to this
 * object, on its task thread; {@link #close} frees the writer and deletes the local file whether or
 * not the clip finished, and is idempotent.
 */
final class ClipVideoFile implements AutoCloseable {
  /** A finished clip: what the encoder wrote, the staged file's URI and its size. */
  record Staged(Mp4Writer.Result result, String path, long bytes) {}

  private Mp4Writer writer;
  private Path local;

  private ClipVideoFile(Path local, Mp4Writer writer) {
    this.local = local;
    this.writer = writer;
  }

  /**
   * A clip of {@code width} x {@code height} frames ({@code raw}: the pixels a renderer gave, else
   * decoded images), with {@code audio} (null: silent).
   */
  static ClipVideoFile open(
      int width, int height, boolean raw, VideoOptions options, String encoder, ClipAudio audio) {
    Path local;
    try {
      local = Files.createTempFile("facerender-clip", ".mp4");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a local video file", e);
    }
    try {
      return new ClipVideoFile(
          local, Mp4Writer.open(local, width, height, raw, options, encoder, audio));
    } catch (RuntimeException e) {
      deleteQuietly(local);
      throw e;
    }
  }

  void write(byte[] pixels) {
    writer.write(pixels);
  }

  long framesWritten() {
    return writer.framesWritten();
  }

  /**
   * Finishes the file with {@code audioSamples} of its audio and stages it as the {@code seq}-th
   * file of the attempt {@code task}; the local file is gone after.
   */
  Staged finishAndStage(long audioSamples, VideoOutput output, TaskInfo task, int seq) {
    Mp4Writer.Result result = writer.finish(audioSamples);
    writer.close();
    writer = null;
    try {
      long bytes = Files.size(local);
      String path = output.stage(local, task.partition(), task.taskAttemptId(), seq);
      Files.delete(local);
      local = null;
      return new Staged(result, path, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stage a clip's video", e);
    }
  }

  /** Frees the writer and deletes the local file, finished or not; idempotent. */
  @Override
  public void close() {
    if (writer != null) {
      writer.close();
      writer = null;
    }
    if (local != null) {
      deleteQuietly(local);
      local = null;
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // A leftover temp file on the executor's disk is harmless to the output.
    }
  }
}
