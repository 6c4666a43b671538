package dev.facerender.partition.input;

import dev.facerender.metrics.FrameError;
import dev.facerender.partition.frame.ClipSource;
import dev.facerender.partition.frame.PendingFrame;
import dev.facerender.partition.sink.TaskSinks;
import dev.facerender.partition.video.ClipVideos;
import java.util.function.Consumer;
import org.apache.spark.sql.Row;

/**
 * A partition's input rows, one at a time: a source row starts its clip (decoded once, and its
 * video when the run makes videos), a frame row is checked against the current clip and goes to the
 * coefficient window, a rejected row goes to the sinks. Holds the current clip's first reference
 * and drops it when the next clip starts, after the window has handed the previous clip's frames on
 * (the assembler keeps its own references for its batches).
 */
public final class ClipRows {
  private final RowValidator validator;
  private final CoefficientWindow window;
  private final TaskSinks sinks;
  private final ClipVideos videos;

  private String clipId;
  private ClipSource clipSource;
  private FrameError clipError;
  private String lastFrameClip;
  private int lastFrameIndex;
  private long decodeNanos;

  /** With {@code videos} null when the run makes none. */
  public ClipRows(
      RowValidator validator, CoefficientWindow window, TaskSinks sinks, ClipVideos videos) {
    this.validator = validator;
    this.window = window;
    this.sinks = sinks;
    this.videos = videos;
  }

  /** Takes one input row; frames that leave the window go to {@code enqueue}. */
  public void accept(Row row, Consumer<PendingFrame> enqueue) {
    if (RowValidator.isSource(row)) {
      startClip(row, enqueue);
      return;
    }
    RowValidator.Checked checked =
        validator.frame(
            row,
            new RowValidator.Position(
                clipId, clipSource, clipError, lastFrameClip, lastFrameIndex));
    if (checked.error() != null) {
      sinks.error(checked.error());
      sinks.progress(1);
      return;
    }
    PendingFrame frame = checked.frame();
    lastFrameClip = frame.clipId();
    lastFrameIndex = frame.frameIndex();
    window.add(frame, enqueue);
  }

  /** Source decoding time since the last call, charged to the next batch. */
  public long takeDecodeNanos() {
    long nanos = decodeNanos;
    decodeNanos = 0;
    return nanos;
  }

  /** Hands over the current clip's reference (null when none): the caller releases it. */
  public ClipSource takeClip() {
    ClipSource owned = clipSource;
    clipSource = null;
    return owned;
  }

  private void startClip(Row row, Consumer<PendingFrame> enqueue) {
    FrameError noClip = validator.sourceWithoutClip(row);
    if (noClip != null) {
      sinks.error(noClip);
      return;
    }
    // The previous clip's frames all reach the assembler before its reference goes.
    window.finish(enqueue);
    if (clipSource != null) {
      clipSource.release();
      clipSource = null;
    }
    String clip = RowValidator.clipId(row);
    if (clip.equals(clipId)) {
      clipError = validator.duplicateSource(clip);
      return;
    }
    clipId = clip;
    long start = System.nanoTime();
    RowValidator.Source source = validator.source(row);
    decodeNanos += System.nanoTime() - start;
    clipSource = source.source();
    clipError = source.error();
    if (videos != null && clipError == null) {
      clipError = videos.startClip(row, clip, clipSource);
    }
  }
}
