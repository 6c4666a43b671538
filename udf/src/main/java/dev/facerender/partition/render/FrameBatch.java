package dev.facerender.partition.render;

import dev.facerender.partition.frame.PendingFrame;
import dev.facerender.retry.Splittable;
import java.util.List;

/** Frames rendered together: all of one source size, in stream order. */
public final class FrameBatch implements Splittable<FrameBatch> {
  private final List<PendingFrame> frames;
  private boolean closed;

  public FrameBatch(List<PendingFrame> frames) {
    if (frames.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one frame");
    }
    this.frames = List.copyOf(frames);
  }

  public List<PendingFrame> frames() {
    if (closed) {
      throw new IllegalStateException("batch is closed");
    }
    return frames;
  }

  @Override
  public int size() {
    return frames.size();
  }

  @Override
  public List<FrameBatch> split() {
    List<PendingFrame> all = frames();
    int half = all.size() / 2;
    close();
    return List.of(
        new FrameBatch(all.subList(0, half)), new FrameBatch(all.subList(half, all.size())));
  }

  /** This batch in runs of at most {@code limit} frames, in order; takes ownership. */
  List<FrameBatch> chunks(int limit) {
    List<PendingFrame> all = frames();
    close();
    List<FrameBatch> chunks = new java.util.ArrayList<>();
    for (int i = 0; i < all.size(); i += limit) {
      chunks.add(new FrameBatch(all.subList(i, Math.min(all.size(), i + limit))));
    }
    return chunks;
  }

  @Override
  public void close() {
    closed = true;
  }
}
