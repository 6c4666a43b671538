package dev.facerender.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.facerender.config.DataSize;
import dev.facerender.natives.TorchNatives;
import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The malloc counter the build preloads into test JVMs, read through libtorch's own tensors. */
class NativeHeapTest {
  private static final long MIB = 1L << 20;

  @BeforeAll
  static void load() {
    // The build compiles the counter with gcc and goes on without it where there is none.
    assumeThat(NativeHeap.preloadedFile()).as("the counter was built (gcc)").isNotNull();
    TorchNatives.load();
  }

  @Test
  void theTestJvmRunsWithTheCounterPreloaded() {
    assertThat(NativeHeap.counting()).as("LD_PRELOAD=%s", System.getenv("LD_PRELOAD")).isTrue();
    assertThat(NativeHeap.live()).isPositive();
  }

  @Test
  void aTensorCountsItsBytesWhileHeldAndNoLonger() {
    // The counters are the whole process's: other threads of the test JVM (Spark's, the JIT's)
    // allocate and free at the same time, by a few MB at most. The closest of a few tries shows
    // what the counter itself does; a counter that missed libtorch's allocations would be 64 MiB
    // off in every try.
    long heldOff = Long.MAX_VALUE;
    long peakOff = Long.MAX_VALUE;
    long afterOff = Long.MAX_VALUE;
    for (int i = 0; i < 8; i++) {
      long before = NativeHeap.live();
      NativeHeap.reset();
      long held;
      try (Tensor t = torch.empty(16L << 20)) { // 16 M floats: 64 MiB
        held = NativeHeap.live() - before;
      }
      long peak = NativeHeap.peak() - before;
      long after = NativeHeap.live() - before;
      heldOff = Math.min(heldOff, Math.abs(held - 64 * MIB));
      peakOff = Math.min(peakOff, Math.abs(peak - 64 * MIB));
      afterOff = Math.min(afterOff, Math.abs(after));
    }
    assertThat(heldOff).isLessThan(MIB / 4);
    assertThat(peakOff).isLessThan(MIB / 4);
    assertThat(afterOff).isLessThan(MIB / 4);
  }

  @Test
  void aBatchsPeakIsTheSameEveryTime() {
    CpuDevice device = new CpuDevice(1.0, DataSize.parse("1GiB"));
    // The first uses of an operator set up what it keeps (kernels, thread pools).
    peakOfOneBatch(device);
    peakOfOneBatch(device);
    long[] peaks = new long[8];
    for (int i = 0; i < peaks.length; i++) {
      peaks[i] = peakOfOneBatch(device);
    }
    // The two tensors (4 and 16 MiB) are alive together, whatever glibc reused or mapped; other
    // threads' allocations can move a try by a few MB (see above), so the check is on the value
    // most tries agree on to the block, and how many do.
    long common = peaks[0];
    long agreeing = 0;
    for (long p : peaks) {
      long near = Arrays.stream(peaks).filter(q -> Math.abs(q - p) < MIB / 16).count();
      if (near > agreeing) {
        agreeing = near;
        common = p;
      }
    }
    String tries = Arrays.toString(peaks);
    assertThat(common).as("peaks %s", tries).isBetween(20 * MIB, 21 * MIB);
    assertThat(agreeing).as("peaks %s", tries).isGreaterThanOrEqualTo(3);
  }

  private static long peakOfOneBatch(CpuDevice device) {
    BatchPeaks peaks = new BatchPeaks(device);
    BatchPeaks.Window window = peaks.begin(1);
    try (PointerScope scope = new PointerScope()) {
      Tensor small = torch.ones(1L << 20);
      Tensor large = torch.ones(4L << 20);
      assertThat(small.sum().item_double() + large.sum().item_double()).isEqualTo(5 << 20);
    }
    return peaks.end(window);
  }
}
