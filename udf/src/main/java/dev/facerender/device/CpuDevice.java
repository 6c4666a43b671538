package dev.facerender.device;

import dev.facerender.config.DataSize;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.Pointer;

/**
 * libtorch's CPU. Its "device memory" is a budget: a share of the machine's available memory, or a
 * fixed size ({@code --cpu-memory}). With the malloc counter preloaded ({@link NativeHeap}) memory
 * is the bytes the process holds from malloc, counted per block as a GPU allocator counts its own;
 * without it, the kernel's resident-set high-water mark, reset per batch through {@code
 * /proc/self/clear_refs}, whose peaks spread 10-40% for one batch size (where neither works, peaks
 * are unknown: -1).
 *
 * <p>Both are process-wide, as a GPU allocator's are device-wide: {@link BatchPeaks} makes them a
 * batch's own.
 *
 * <p>A fixed budget binds like a device's memory: a batch whose measured peak passed it, or whose
 * peak the batches measured so far predict to pass it, fails with the message libtorch's CPU
 * allocator gives when memory runs out, so the split-retry path handles it as any OOM. The check
 * comes after the batch for a size not seen yet: the CPU allocator itself has no limit to fail
 * against, so the first over-budget batch of a size costs its compute, not the memory.
 */
public final class CpuDevice implements Device {
  private static final Path MEMINFO = Path.of("/proc/meminfo");
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

  private final long budgetBytes;
  private volatile long totalBytes;
  private volatile boolean peakKnown;
  private final PeakHistory history = new PeakHistory();

  public CpuDevice(double memoryFraction) {
    this(memoryFraction, 0);
  }

  /** {@code budgetBytes > 0} fixes the budget and enforces it; else a share of available memory. */
  public CpuDevice(double memoryFraction, long budgetBytes) {
    this.budgetBytes = budgetBytes;
    this.totalBytes = budgetBytes > 0 ? budgetBytes : (long) (availableMemory() * memoryFraction);
  }

  /**
   * Lowers an enforced budget, as another tenant taking memory would: fault injection ({@code
   * --inject-cpu-memory}) and tests. Never raises it.
   */
  public void lowerBudget(long bytes) {
    if (budgetBytes <= 0) {
      throw new IllegalStateException("the CPU has no fixed budget (--cpu-memory) to lower");
    }
    totalBytes = Math.min(totalBytes, bytes);
  }

  @Override
  public void beforeBatch(int frames, long pixels) {
    long predicted = history.predict(frames, pixels);
    if (budgetBytes > 0 && predicted > totalBytes) {
      throw outOfMemory(predicted, "the peaks measured so far predict");
    }
  }

  @Override
  public void checkBatch(int frames, long pixels, long peak) {
    if (peak < 0) {
      return;
    }
    history.record(frames, pixels, peak);
    if (budgetBytes > 0 && peak > totalBytes) {
      throw outOfMemory(peak, "the batch's measured peak was");
    }
  }

  private RuntimeException outOfMemory(long bytes, String how) {
    // The marker OutOfMemoryErrors recognises: libtorch's own CPU out-of-memory message.
    return new RuntimeException(
        String.format(
            "DefaultCPUAllocator: can't allocate memory: you tried to allocate %d bytes (%s %s"
                + " against the CPU budget of %s, --cpu-memory)",
            bytes, how, DataSize.format(bytes), DataSize.format(totalBytes)));
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

  /**
   * What the process holds from malloc (libtorch's CPU tensors among it) when counted, else its
   * resident set: the same quantity {@link #peakAllocatedBytes} reads.
   */
  @Override
  public long allocatedBytes() {
    return NativeHeap.counting() ? NativeHeap.live() : statusBytes("VmRSS:");
  }

  /** libtorch's CPU allocator caches nothing: reserved is allocated. */
  @Override
  public long reservedBytes() {
    return allocatedBytes();
  }

  /**
   * Counted: starts a new malloc peak. Otherwise, with a fixed budget returns the C heap's free
   * pages to the kernel; then resets the kernel's high-water mark of the resident set ({@code
   * clear_refs} value 5). Without the trim a batch reuses what earlier batches freed but glibc kept
   * (its mmap threshold grows to the largest block freed, up to 32 MiB, so most activations come
   * from the heap), no page is added to the resident set and the batch's peak reads near zero: a
   * batch of 1 after one of 8 measured 0.1 MiB instead of 11 MiB.
   */
  @Override
  public void resetPeak() {
    if (NativeHeap.counting()) {
      NativeHeap.reset();
      peakKnown = true;
      return;
    }
    if (budgetBytes > 0) {
      // Only where a fixed budget must hold: a trim per batch is not free, and without a budget
      // the CPU's memory does not bind here (the heap budget does).
      Pointer.trimMemory();
    }
    try {
      Files.writeString(CLEAR_REFS, "5");
      peakKnown = true;
    } catch (IOException | RuntimeException e) {
      peakKnown = false;
    }
  }

  @Override
  public long peakAllocatedBytes() {
    if (!peakKnown) {
      return -1;
    }
    return NativeHeap.counting() ? NativeHeap.peak() : statusBytes("VmHWM:");
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
