package dev.facerender.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.device.Device;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Calibration against a device whose peaks grow less than linearly with the batch (as measured on
 * the CPU here, docs/performance.md): a line through two doublings misses the limit, the bisection
 * that follows finds it by rendering.
 */
class CalibratorTest {
  private static final long MIB = 1L << 20;

  /** Peak bytes of a batch: 40 MiB + 24 MiB per frame up to 8, then 16 MiB per frame. */
  private static long peak(int size) {
    return 40 * MIB + 24 * MIB * Math.min(size, 8) + 16 * MIB * Math.max(0, size - 8);
  }

  /** A synchronous device whose clock advances 1 ms per frame. */
  private static class Device implements Calibrator.Probe {
    final List<Integer> sizes = new ArrayList<>();
    final long oomAbove;
    long clock;

    Device(long oomAbove) {
      this.oomAbove = oomAbove;
    }

    @Override
    public long run(int size) {
      sizes.add(size);
      if (peak(size) > oomAbove) {
        throw new RuntimeException("CUDA out of memory. Tried to allocate " + peak(size));
      }
      clock += size * 1_000_000L;
      return peak(size);
    }

    @Override
    public void synchronize() {}

    @Override
    public long nanoTime() {
      return clock;
    }
  }

  @Test
  void whenMemoryStopsTheDoublingTheSizesUpToTheNextDoublingAreBisected() {
    long budget = 330 * MIB;
    Device device = new Device(Long.MAX_VALUE);
    Calibration c = Calibrator.calibrate(device, 256, budget, 10 * MIB);
    // peak(14) = 328 MiB fits, peak(15) = 344 MiB does not; the line through 4 and 8 (24 MiB
    // per frame) guessed 12.
    assertThat(c.points()).extracting(ThroughputPoint::batch).contains(1, 2, 4, 8, 14, 15);
    assertThat(c.points()).extracting(ThroughputPoint::batch).doesNotContain(16);
    assertThat(c.points()).extracting(ThroughputPoint::batch).isSorted();
    BatchPlan plan =
        BatchSizer.plan(
            new BatchSizer.Input(
                budget, budget, 0, 1, 1.0, c.perFrameBytes(), c.fixedBytes(), 256, c.points()));
    assertThat(plan.memoryLimit()).isEqualTo(14);
  }

  @Test
  void anOutOfMemoryWhileBisectingBoundsThePlanBelowIt() {
    long budget = 330 * MIB;
    // The device runs out at 300 MiB although calibration's budget says 330: a size over it is
    // never planned.
    Calibration c = Calibrator.calibrate(new Device(300 * MIB), 256, budget, 10 * MIB);
    // The line's guess 12 (296 MiB) ran, 14 and 13 ran out.
    assertThat(c.smallestOom()).isEqualTo(13);
    assertThat(c.points())
        .allSatisfy(p -> assertThat(p.peakBytes()).isLessThanOrEqualTo(300 * MIB));
    assertThat(c.points()).extracting(ThroughputPoint::batch).containsExactly(1, 2, 4, 8, 12);
  }

  @Test
  void withoutPeaksNoSizeIsRenderedPastTheDoubling() {
    Device device = new Device(Long.MAX_VALUE);
    Calibration c =
        Calibrator.calibrate(
            new Calibrator.Probe() {
              @Override
              public long run(int size) {
                device.run(size);
                return -1;
              }

              @Override
              public void synchronize() {}

              @Override
              public long nanoTime() {
                return device.nanoTime();
              }
            },
            8,
            1L << 40,
            MIB);
    assertThat(device.sizes).allSatisfy(size -> assertThat(size).isIn(1, 2, 4, 8));
    assertThat(c.measured()).isFalse();
  }

  @Test
  void aFirstRunThatSpendsTheBudgetIsTheOnlyRun() {
    // A real SadTalker network takes seconds a frame on a CPU: one run is all an 8-frame job can
    // repay, and the frame it rendered is kept by the caller.
    Device device = new Device(Long.MAX_VALUE);
    Calibration c = Calibrator.calibrate(device, 256, 1L << 40, 10 * MIB, 0);
    assertThat(device.sizes).containsExactly(1);
    assertThat(c.points()).extracting(ThroughputPoint::batch).containsExactly(1);
    assertThat(c.points().get(0).framesPerSecond()).isEqualTo(1000.0);
  }

  @Test
  void aSmallJobsCalibrationStopsAtWhatTheJobCanRepay() {
    // 1 ms a frame: a job of 1000 frames on one task renders in about 1 s, so calibration may
    // take 5% of it, 50 ms (timed on the device's clock); the cap alone would have gone on to the
    // level cap.
    Device small = new Device(Long.MAX_VALUE);
    CalibrationBudget job = new CalibrationBudget(10_000_000_000L, 1000, 1);
    Calibration c = Calibrator.calibrate(small, 256, 1L << 40, 10 * MIB, job, small::nanoTime);
    int largest = c.points().stream().mapToInt(ThroughputPoint::batch).max().orElseThrow();
    // Past the deadline a size ends after one more run: at most the largest size's two runs over.
    assertThat(small.clock).isBetween(50_000_000L, 50_000_000L + 2 * largest * 1_000_000L);
    assertThat(largest).isLessThan(256);
    assertThat(job.shortened(c)).as("not kept for a larger job").isTrue();

    Device capped = new Device(Long.MAX_VALUE);
    Calibration whole =
        Calibrator.calibrate(
            capped,
            256,
            1L << 40,
            10 * MIB,
            CalibrationBudget.capped(10_000_000_000L),
            capped::nanoTime);
    assertThat(whole.points()).extracting(ThroughputPoint::batch).contains(256);
    assertThat(capped.clock).isGreaterThan(10 * small.clock);
    // Four tasks share the job: a quarter of the render time, a quarter of the budget.
    Device shared = new Device(Long.MAX_VALUE);
    Calibrator.calibrate(
        shared,
        256,
        1L << 40,
        10 * MIB,
        new CalibrationBudget(10_000_000_000L, 1000, 4),
        shared::nanoTime);
    assertThat(shared.clock).isLessThan(small.clock);
  }

  @Test
  void theFirstRunsOneTimeAllocationsDoNotInflateThePeaks() {
    // The first call of a process allocates for itself (lazy initialisation, an execution plan):
    // once, 36 MiB in the first run, which measured batch 1 above batch 2 and planned 2 where 5
    // fit.
    Device device =
        new Device(Long.MAX_VALUE) {
          @Override
          public long run(int size) {
            long peak = super.run(size);
            return sizes.size() == 1 ? peak + 36 * MIB : peak;
          }
        };
    Calibration c = Calibrator.calibrate(device, 8, 1L << 40, 10 * MIB);
    assertThat(c.points()).allSatisfy(p -> assertThat(p.peakBytes()).isEqualTo(peak(p.batch())));
    assertThat(c.perFrameBytes()).isEqualTo(24 * MIB);
    assertThat(c.fixedBytes()).isEqualTo(40 * MIB);
  }
}
