package dev.facerender.device.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.batch.Calibration;
import dev.facerender.batch.Calibrator;
import dev.facerender.device.GpuReserve;
import dev.facerender.retry.OutOfMemoryErrors;
import org.junit.jupiter.api.Test;

/** The simulated GPU: weights at model load, batches through the allocator model. */
class SimulatedGpuTest {
  private static final long GIB = 1L << 30;
  private static final long MIB = 1L << 20;
  private static final long PIXELS = 256L * 256;

  @Test
  void weightsAreResidentFromModelLoadOnceAndOnlyTheContextIsOutsideTheAllocator() {
    SimulatedGpu gpu =
        new SimulatedGpu("sim-weights", 0, new GpuSpec(8 * GIB, 512 * MIB, 0, 3 * GIB));
    assertThat(gpu.freeBytes()).isEqualTo(8 * GIB - 512 * MIB);
    assertThatThrownBy(() -> gpu.beforeBatch(1, PIXELS)).hasMessageContaining("modelLoaded");

    gpu.modelLoaded("builtin:warp");
    gpu.modelLoaded("builtin:warp");
    assertThat(gpu.allocatedBytes()).isEqualTo(3 * GIB);
    // Weight tensors of 1..10 MiB share 20 MiB segments: a little is reserved beyond them.
    assertThat(gpu.reservedBytes()).isBetween(3 * GIB, 3 * GIB + 3 * GIB / 20);
    // Free bytes and what the allocator caches, less the headroom the cap keeps for the libraries.
    assertThat(gpu.plannableBytes())
        .isEqualTo(8 * GIB - 512 * MIB - 3 * GIB - GpuReserve.headroomBytes(8 * GIB));
  }

  @Test
  void aBatchLeavesItsSegmentsCachedAndReturnsEveryByteItAllocated() {
    SimulatedGpu gpu = new SimulatedGpu("sim-batch", 0, GpuSpec.of(8 * GIB));
    gpu.modelLoaded("m");
    long weights = gpu.allocatedBytes();
    long plannable = gpu.plannableBytes();
    gpu.resetPeak();
    gpu.beforeBatch(8, PIXELS);
    gpu.afterBatch();
    assertThat(gpu.allocatedBytes()).isEqualTo(weights);
    assertThat(gpu.reservedBytes()).isGreaterThan(weights + 8 * 50 * MIB);
    assertThat(gpu.peakAllocatedBytes() - weights).isBetween(8 * 50 * MIB, 8 * 150 * MIB);
    assertThat(gpu.plannableBytes()).as("cached bytes are plannable").isEqualTo(plannable);
  }

  @Test
  void theLargestFitIsFoundByBisectionOnFreshDevices() {
    GpuSpec spec = GpuSpec.of(8 * GIB);
    int largest = spec.largestFit(PIXELS, 4096);
    assertThat(largest).isBetween(30, 200);
    SimulatedGpu gpu = new SimulatedGpu("sim-fit", 0, spec);
    gpu.modelLoaded("m");
    gpu.beforeBatch(largest, PIXELS);
    gpu.afterBatch();
    assertThatThrownBy(() -> gpu.beforeBatch(largest + 1, PIXELS))
        .satisfies(e -> assertThat(OutOfMemoryErrors.isOutOfMemory(e)).isTrue());
    assertThat(gpu.allocatedBytes())
        .as("an OOM frees the pass's tensors")
        .isEqualTo(spec.weightBytes());
  }

  @Test
  void calibrationAgainstTheSimulatedGpuNeverUnderestimatesTheLargestFittingBatch() {
    SimulatedGpu gpu = new SimulatedGpu("sim-calibrate", 0, GpuSpec.of(8 * GIB));
    gpu.modelLoaded("m");
    long[] clock = {0};
    Calibrator.Probe probe =
        new Calibrator.Probe() {
          @Override
          public long run(int size) {
            long before = gpu.allocatedBytes();
            gpu.resetPeak();
            gpu.beforeBatch(size, PIXELS);
            gpu.afterBatch();
            clock[0] += gpu.batchNanos(size, PIXELS, 0);
            return gpu.peakAllocatedBytes() - before;
          }

          @Override
          public void synchronize() {}

          @Override
          public long nanoTime() {
            return clock[0];
          }

          @Override
          public void beforeSize(int size) {
            gpu.emptyCache();
          }
        };
    Calibration calibration = Calibrator.calibrate(probe, 256, gpu.plannableBytes(), 1);
    assertThat(calibration.measured()).isTrue();
    assertThat(calibration.fixedBytes()).as("no weights in the fixed bytes").isLessThan(GIB / 4);
    int largest = GpuSpec.of(8 * GIB).largestFit(PIXELS, 4096);
    long predicted = calibration.fixedBytes() + calibration.perFrameBytes() * largest;
    probe.beforeSize(largest);
    assertThat(predicted).isGreaterThanOrEqualTo(probe.run(largest));
  }
}
