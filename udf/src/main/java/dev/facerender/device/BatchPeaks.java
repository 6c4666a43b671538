package dev.facerender.device;

import java.util.HashSet;
import java.util.Set;

/**
 * One batch's own peak on a device whose allocator keeps one peak for everybody (libtorch's CUDA
 * allocator per device, the kernel's high-water mark per process): the peak during the batch minus
 * what was allocated before it. A batch that overlapped another batch on the same device cannot
 * tell its bytes from the other's, so its peak is unknown (-1); calibration holds the device's
 * write lock (see {@code DeviceState}) and therefore always measures alone. The peak is reset only
 * when a batch starts alone, so it never cuts another batch's measurement short.
 */
public final class BatchPeaks {
  /** One batch's measurement, from {@link #begin} to {@link #end}. */
  public static final class Window {
    private final long allocatedBefore;
    private boolean overlapped;

    private Window(long allocatedBefore) {
      this.allocatedBefore = allocatedBefore;
    }

    /** Whether no other batch was running on the device when this one began. */
    public synchronized boolean startedAlone() {
      return !startedOverlapped;
    }

    /** Whether this batch has more frames than the one that began on the device before it. */
    public boolean grew() {
      return grew;
    }

    private boolean grew;

    private boolean startedOverlapped;
  }

  private final Device device;

  /** Guarded by {@code this}. */
  private final Set<Window> open = new HashSet<>();

  /** Frames of the batch that began last; guarded by {@code this}. */
  private int lastFrames;

  /** The peaks of {@code device}; one per device instance, shared by the tasks rendering on it. */
  public BatchPeaks(Device device) {
    this.device = device;
  }

  /** Call right before a batch of {@code frames} frames allocates anything. */
  public synchronized Window begin(int frames) {
    boolean alone = open.isEmpty();
    if (alone) {
      // Before reading what is allocated: a reset may give memory back (the CPU's trim).
      device.resetPeak();
    }
    Window window = new Window(device.allocatedBytes());
    if (!alone) {
      window.overlapped = true;
      window.startedOverlapped = true;
      open.forEach(other -> other.overlapped = true);
    }
    window.grew = frames > lastFrames;
    lastFrames = frames;
    open.add(window);
    return window;
  }

  /** The batch's own peak bytes, or -1 when unknown (another batch overlapped it). */
  public synchronized long end(Window window) {
    open.remove(window);
    long peak = device.peakAllocatedBytes();
    if (window.overlapped || peak < 0 || window.allocatedBefore < 0) {
      return -1;
    }
    return Math.max(0, peak - window.allocatedBefore);
  }
}
