package dev.facerender.batch;

import java.io.Serializable;
import java.util.List;

/**
 * What calibration learnt for one (model, device, frame size): memory as fixed + per-frame bytes
 * (measured from peaks, or estimated from tensor sizes when the device reports no peaks), the speed
 * at each measured batch, and the smallest batch that ran out of memory (0 if none did).
 */
public record Calibration(
    long fixedBytes,
    long perFrameBytes,
    boolean measured,
    List<ThroughputPoint> points,
    int smallestOom)
    implements Serializable {
  public Calibration {
    points = List.copyOf(points);
    if (perFrameBytes <= 0) {
      throw new IllegalArgumentException("perFrameBytes must be > 0, got " + perFrameBytes);
    }
  }
}
