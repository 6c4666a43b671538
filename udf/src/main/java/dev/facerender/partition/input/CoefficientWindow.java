package dev.facerender.partition.input;

import dev.facerender.partition.frame.PendingFrame;
import java.util.function.Consumer;

/**
 * Coefficient windows of radius R over one clip's frames, in a ring of {@code 2R+1}. A frame is
 * released once R later frames of its clip are known, or when the clip ends, with the coefficients
 * of its neighbours {@code p-R..p+R} laid out {@code [C][2R+1]}; indices are clamped to the clip
 * (edge padding). Frames are the clip's valid rows in order: a rejected row is skipped, not
 * zero-filled. With R = 0 frames pass straight through.
 */
public final class CoefficientWindow {
  private final int radius;
  private final int width;
  private final PendingFrame[] ring;

  /** Frames of the current clip seen so far, and how many of them were released. */
  private int seen;

  private int released;

  public CoefficientWindow(int radius) {
    if (radius < 0) {
      throw new IllegalArgumentException("window radius must be >= 0, got " + radius);
    }
    this.radius = radius;
    this.width = 2 * radius + 1;
    this.ring = new PendingFrame[width];
  }

  /** Frames held now: never more than {@code 2R+1}. */
  int held() {
    int oldest = Math.max(0, released - radius);
    return seen - oldest;
  }

  /**
   * Adds the next frame; a frame of another clip than the held ones ends that clip first. Frames
   * whose windows are complete go to {@code out}, in order.
   */
  void add(PendingFrame frame, Consumer<PendingFrame> out) {
    if (radius == 0) {
      out.accept(frame);
      return;
    }
    if (seen > 0 && !at(seen - 1).clipId().equals(frame.clipId())) {
      finish(out);
    }
    ring[seen % width] = frame;
    seen++;
    while (released + radius < seen) {
      out.accept(windowed(released++));
    }
  }

  /** Releases the held clip's remaining frames: its end is known, so its edge is too. */
  public void finish(Consumer<PendingFrame> out) {
    while (released < seen) {
      out.accept(windowed(released++));
    }
    java.util.Arrays.fill(ring, null);
    seen = 0;
    released = 0;
  }

  /** Drops what is held, releasing nothing (a task that stops). */
  public void clear() {
    java.util.Arrays.fill(ring, null);
    seen = 0;
    released = 0;
  }

  private PendingFrame at(int position) {
    return ring[position % width];
  }

  private PendingFrame windowed(int p) {
    PendingFrame frame = at(p);
    int c = frame.coeffs().length;
    float[] window = new float[c * width];
    int last = seen - 1;
    for (int k = 0; k < width; k++) {
      float[] neighbour = at(Math.max(0, Math.min(last, p - radius + k))).coeffs();
      for (int j = 0; j < c; j++) {
        window[j * width + k] = neighbour[j];
      }
    }
    return new PendingFrame(frame.clipId(), frame.frameIndex(), window, frame.source());
  }
}
