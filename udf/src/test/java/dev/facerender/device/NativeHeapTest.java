package dev.facerender.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.facerender.config.DataSize;
import dev.facerender.natives.TorchNatives;
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
    long before = NativeHeap.live();
    NativeHeap.reset();
    long held;
    try (Tensor t = torch.empty(16L << 20)) { // 16 M floats: 64 MiB
      held = NativeHeap.live() - before;
    }
    long peak = NativeHeap.peak() - before;
    long after = NativeHeap.live() - before;
    // Other threads (the JIT, GC bookkeeping) allocate too, by kilobytes.
    assertThat(held).isBetween(64 * MIB, 64 * MIB + MIB);
    assertThat(peak).isBetween(64 * MIB, 64 * MIB + MIB);
    assertThat(after).isLessThan(MIB);
  }

  @Test
  void aBatchsPeakIsTheSameEveryTime() {
    CpuDevice device = new CpuDevice(1.0, DataSize.parse("1GiB"));
    // The first uses of an operator set up what it keeps (kernels, thread pools).
    peakOfOneBatch(device);
    peakOfOneBatch(device);
    long first = peakOfOneBatch(device);
    long second = peakOfOneBatch(device);
    // The two tensors (4 and 16 MiB) are alive together, whatever glibc reused or mapped.
    assertThat(first).isBetween(20 * MIB, 21 * MIB);
    assertThat(second).isBetween(first - MIB / 4, first + MIB / 4);
  }

  private static long peakOfOneBatch(CpuDevice device) {
    BatchPeaks.Window window = BatchPeaks.of(device).begin();
    try (PointerScope scope = new PointerScope()) {
      Tensor small = torch.ones(1L << 20);
      Tensor large = torch.ones(4L << 20);
      assertThat(small.sum().item_double() + large.sum().item_double()).isEqualTo(5 << 20);
    }
    return BatchPeaks.of(device).end(window);
  }
}
