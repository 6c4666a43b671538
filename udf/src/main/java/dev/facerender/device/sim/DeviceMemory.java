package dev.facerender.device.sim;

import java.util.Locale;

/**
 * The memory of one simulated GPU as the CUDA driver sees it: the total, what the CUDA context of
 * this process takes (no allocator statistic shows it), what other processes hold, and the segments
 * this process's caching allocator took with {@code cudaMalloc}. {@link #freeBytes} is what {@code
 * cudaMemGetInfo} reports. Thread-safe.
 */
public final class DeviceMemory {
  private final int index;
  private final long totalBytes;
  private final long contextBytes;
  private long otherProcesses;
  private long segments;

  public DeviceMemory(int index, long totalBytes, long contextBytes, long otherProcesses) {
    if (totalBytes <= 0 || contextBytes < 0 || otherProcesses < 0) {
      throw new IllegalArgumentException(
          "total > 0, context and other processes >= 0: "
              + totalBytes
              + ", "
              + contextBytes
              + ", "
              + otherProcesses);
    }
    if (contextBytes + otherProcesses >= totalBytes) {
      throw new IllegalArgumentException(
          "a simulated GPU of "
              + human(totalBytes)
              + " cannot hold its CUDA context ("
              + human(contextBytes)
              + ") and other processes' "
              + human(otherProcesses));
    }
    this.index = index;
    this.totalBytes = totalBytes;
    this.contextBytes = contextBytes;
    this.otherProcesses = otherProcesses;
  }

  public int index() {
    return index;
  }

  public long totalBytes() {
    return totalBytes;
  }

  public long contextBytes() {
    return contextBytes;
  }

  /** {@code cudaMemGetInfo}'s free bytes. */
  public synchronized long freeBytes() {
    return totalBytes - contextBytes - otherProcesses - segments;
  }

  /** Another process on the same GPU now holds {@code bytes} (it may grow or shrink later). */
  public synchronized void setOtherProcesses(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("other processes' bytes must be >= 0, got " + bytes);
    }
    otherProcesses = bytes;
  }

  synchronized boolean cudaMalloc(long bytes) {
    if (bytes > freeBytes()) {
      return false;
    }
    segments += bytes;
    return true;
  }

  synchronized void cudaFree(long bytes) {
    segments -= bytes;
  }

  static String human(long bytes) {
    if (Math.abs(bytes) >= 1L << 30) {
      return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }
    return String.format(Locale.ROOT, "%.2f MiB", bytes / (double) (1L << 20));
  }
}
