package dev.facerender.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Calibration against a fake CUDA device with the two behaviours that made it plan batch 1 on a
 * real GPU, each written from how CUDA and TorchScript are documented to behave, not from the
 * calibrator:
 *
 * <ul>
 *   <li>Kernel launches are asynchronous: the host call returns once the work is queued on the
 *       stream, and only a stream (or device) synchronisation waits for it (CUDA C++ Programming
 *       Guide, "Asynchronous Concurrent Execution"; PyTorch, "CUDA semantics: asynchronous
 *       execution").
 *   <li>The first calls of a TorchScript graph on a new input shape are slow: the profiling
 *       executor runs {@code getNumProfiledRuns()} (1) instrumented calls, then optimises, which on
 *       CUDA compiles fused kernels with NVRTC for the profiled shapes; a later shape fails the
 *       fusion guards and specialises again ({@code profiling_graph_executor_impl.cpp}, fusion
 *       strategy STATIC 2, DYNAMIC 10). Modelled as 40 ms of host time on the first call of a shape
 *       and 150 ms on the second.
 * </ul>
 *
 * The device's own cost is a GPU's shape: a fixed 0.4 ms per batch plus 0.09 ms per frame,
 * throughput flattening near batch 64 (the warp on an H200 ran 2109 frames/s at batch 1 and 10 738
 * at 32 in plain PyTorch: ../shared/FACTS.md, "GPU, measured 2026-12-04"); memory 100 MiB + 3.5 MiB
 * per frame.
 */
class GpuCalibrationTest {
  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;

  private static final class FakeCuda implements Calibrator.Probe {
    private final boolean asynchronous;
    private final boolean slowFirstCalls;
    private final Map<Integer, Integer> callsPerShape = new HashMap<>();
    private long host;
    private long deviceFreeAt;

    FakeCuda(boolean asynchronous, boolean slowFirstCalls) {
      this.asynchronous = asynchronous;
      this.slowFirstCalls = slowFirstCalls;
    }

    /** Device time of one batch: flattens past 64 frames, as a saturated GPU's does. */
    static long kernelNanos(int frames) {
      return 400_000L + 90_000L * frames + (frames > 64 ? 20_000L * (frames - 64) : 0);
    }

    static long peak(int frames) {
      return 100 * MIB + frames * 7 * MIB / 2;
    }

    @Override
    public long run(int size) {
      int call = callsPerShape.merge(size, 1, Integer::sum);
      if (slowFirstCalls && call <= 2) {
        // Profiling, then compiling: host time before anything is queued.
        host += call == 1 ? 40_000_000L : 150_000_000L;
      }
      long start = Math.max(host, deviceFreeAt);
      deviceFreeAt = start + kernelNanos(size);
      // Launching a few kernels costs the host microseconds; a synchronous device waits.
      host = asynchronous ? host + 30_000L : deviceFreeAt;
      return peak(size);
    }

    @Override
    public void synchronize() {
      host = Math.max(host, deviceFreeAt);
    }

    @Override
    public long nanoTime() {
      return host;
    }
  }

  private static BatchPlan plan(Calibration c) {
    long free = 140 * GIB;
    return BatchSizer.plan(
        new BatchSizer.Input(
            free, free, 0, 1, 0.9, c.perFrameBytes(), c.fixedBytes(), 256, c.points()));
  }

  private static Calibration calibrate(FakeCuda device) {
    return Calibrator.calibrate(device, 256, 100 * GIB, 4 * MIB);
  }

  @Test
  void aCleanDeviceIsPlannedPastBatchOneWhereThroughputFlattens() {
    BatchPlan clean = plan(calibrate(new FakeCuda(false, false)));
    assertThat(clean.batch()).isGreaterThanOrEqualTo(32);
  }

  @Test
  void slowFirstCallsPerShapeAreWarmedAwayAndPlanAsTheCleanDeviceDoes() {
    Calibration clean = calibrate(new FakeCuda(false, false));
    Calibration slow = calibrate(new FakeCuda(false, true));
    assertThat(plan(slow).batch()).isEqualTo(plan(clean).batch());
    assertThat(slow.points())
        .extracting(ThroughputPoint::batch)
        .isEqualTo(clean.points().stream().map(ThroughputPoint::batch).toList());
    for (int i = 0; i < clean.points().size(); i++) {
      assertThat(slow.points().get(i).framesPerSecond())
          .isCloseTo(
              clean.points().get(i).framesPerSecond(),
              org.assertj.core.data.Percentage.withPercentage(1));
    }
  }

  @Test
  void timingsThatReturnBeforeTheWorkIsDoneAreBracketedBySynchronisation() {
    Calibration clean = calibrate(new FakeCuda(false, false));
    Calibration early = calibrate(new FakeCuda(true, false));
    assertThat(plan(early).batch()).isEqualTo(plan(clean).batch());
    // What the device did at batch 1, not the host's launch rate (33 000 frames/s).
    assertThat(early.points().get(0).framesPerSecond()).isBetween(1_900.0, 2_100.0);
  }

  @Test
  void bothTogetherPlanWhatTheCleanDevicePlans() {
    Calibration clean = calibrate(new FakeCuda(false, false));
    Calibration both = calibrate(new FakeCuda(true, true));
    assertThat(plan(both)).isEqualTo(plan(clean));
    assertThat(both.perFrameBytes()).isEqualTo(clean.perFrameBytes());
  }
}
