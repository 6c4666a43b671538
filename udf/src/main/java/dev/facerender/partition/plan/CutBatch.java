package dev.facerender.partition.plan;

import dev.facerender.partition.frame.ClipSource;
import dev.facerender.partition.render.FrameBatch;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A batch as the assembler cut it: its frames, the plan of their frame size it was cut under, and
 * one reference to each clip its frames use, which {@link #release} gives back (once: when its
 * render ends, or when it is dropped unrun).
 */
public final class CutBatch {
  private final FrameBatch frames;
  private final SizePlan plan;
  private final List<ClipSource> clips;
  private final long startMillis;
  private long decodeNanos;
  private final AtomicBoolean released = new AtomicBoolean();

  /** Takes ownership of one reference to each of {@code clips}. */
  CutBatch(FrameBatch frames, SizePlan plan, List<ClipSource> clips, long startMillis) {
    this.frames = frames;
    this.plan = plan;
    this.clips = List.copyOf(clips);
    this.startMillis = startMillis;
  }

  public FrameBatch frames() {
    return frames;
  }

  public int size() {
    return frames.size();
  }

  public SizePlan plan() {
    return plan;
  }

  public long startMillis() {
    return startMillis;
  }

  /** Decode time charged to this batch (the sources decoded since the previous one). */
  public long decodeNanos() {
    return decodeNanos;
  }

  public void chargeDecode(long nanos) {
    decodeNanos = nanos;
  }

  public void release() {
    if (released.compareAndSet(false, true)) {
      clips.forEach(ClipSource::release);
    }
  }
}
