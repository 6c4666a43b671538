package dev.facerender.partition;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A batch as the assembler cut it: its frames, the plan of their frame size it was cut under, and
 * one reference to each clip its frames use, which {@link #release} gives back (once: when its
 * render ends, or when it is dropped unrun).
 */
final class CutBatch {
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

  FrameBatch frames() {
    return frames;
  }

  int size() {
    return frames.size();
  }

  SizePlan plan() {
    return plan;
  }

  long startMillis() {
    return startMillis;
  }

  /** Decode time charged to this batch (the sources decoded since the previous one). */
  long decodeNanos() {
    return decodeNanos;
  }

  void chargeDecode(long nanos) {
    decodeNanos = nanos;
  }

  void release() {
    if (released.compareAndSet(false, true)) {
      clips.forEach(ClipSource::release);
    }
  }
}
