package dev.facerender.device;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * libtorch's CPU. Its "device memory" is a budget: a share of the machine's available memory. Peaks
 * are read from the kernel's resident-set high-water mark, which can be reset per batch through
 * {@code /proc/self/clear_refs}; where it cannot, peaks are unknown (-1).
 */
public final class CpuDevice implements Device {
  private static final Path MEMINFO = Path.of("/proc/meminfo");
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

  private final long totalBytes;
  private final ThreadLocal<Long> baseline = new ThreadLocal<>();

  public CpuDevice(double memoryFraction) {
    this.totalBytes = (long) (availableMemory() * memoryFraction);
  }

  @Override
  public String id() {
    return "cpu";
  }

  @Override
  public DeviceKind kind() {
    return DeviceKind.CPU;
  }

  @Override
  public int index() {
    return -1;
  }

  @Override
  public long totalBytes() {
    return totalBytes;
  }

  @Override
  public long freeBytes() {
    return Math.min(totalBytes, availableMemory());
  }

  @Override
  public void resetPeak() {
    try {
      Files.writeString(CLEAR_REFS, "5");
      baseline.set(statusBytes("VmRSS:"));
    } catch (IOException | RuntimeException e) {
      baseline.remove();
    }
  }

  @Override
  public long peakBytes() {
    Long base = baseline.get();
    if (base == null || base < 0) {
      return -1;
    }
    long peak = statusBytes("VmHWM:");
    return peak < 0 ? -1 : Math.max(0, peak - base);
  }

  @Override
  public void emptyCache() {
    // libtorch's CPU allocator returns memory to the system itself.
  }

  static long availableMemory() {
    long kib = readKib(MEMINFO, "MemAvailable:");
    return kib > 0 ? kib * 1024 : Runtime.getRuntime().maxMemory();
  }

  private static long statusBytes(String field) {
    long kib = readKib(STATUS, field);
    return kib < 0 ? -1 : kib * 1024;
  }

  private static long readKib(Path file, String field) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
      for (String line : lines) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).replace("kB", "").strip());
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
