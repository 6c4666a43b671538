package dev.facerender.batch;

import java.io.Serializable;

/** One calibration measurement: a batch size, its peak device bytes (-1 unknown), its speed. */
public record ThroughputPoint(int batch, long peakBytes, double framesPerSecond)
    implements Serializable {
  /** This point with another peak. */
  public ThroughputPoint withPeakBytes(long bytes) {
    return new ThroughputPoint(batch, bytes, framesPerSecond);
  }
}
