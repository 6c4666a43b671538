package dev.facerender.device;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * libtorch's CPU. Its "device memory" is a budget: a share of the machine's available memory. Peaks
 * are read from the kernel's resident-set high-water mark, which can be reset through {@code
 * /proc/self/clear_refs}; where it cannot, peaks are unknown (-1). Both are process-wide, as a GPU
 * allocator's are device-wide: {@link BatchPeaks} makes them a batch's own.
 */
public final class CpuDevice implements Device {
  private static final Path MEMINFO = Path.of("/proc/meminfo");
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

  private final long totalBytes;
  private volatile boolean peakKnown;

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

  /** The process's resident set: libtorch's CPU tensors, the heap and everything else. */
  @Override
  public long allocatedBytes() {
    return statusBytes("VmRSS:");
  }

  /** libtorch's CPU allocator caches nothing: reserved is allocated. */
  @Override
  public long reservedBytes() {
    return allocatedBytes();
  }

  /** Resets the kernel's high-water mark of the resident set ({@code clear_refs} value 5). */
  @Override
  public void resetPeak() {
    try {
      Files.writeString(CLEAR_REFS, "5");
      peakKnown = true;
    } catch (IOException | RuntimeException e) {
      peakKnown = false;
    }
  }

  @Override
  public long peakAllocatedBytes() {
    return peakKnown ? statusBytes("VmHWM:") : -1;
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
