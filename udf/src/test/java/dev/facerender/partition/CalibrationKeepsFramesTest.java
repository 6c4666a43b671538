package dev.facerender.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.device.Device;
import dev.facerender.device.DeviceKind;
import dev.facerender.metrics.BatchMetrics;
import dev.facerender.model.BuiltinModels;
import dev.facerender.model.FrameModel;
import dev.facerender.model.Models;
import dev.facerender.partition.task.RenderSettings;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Calibration renders nothing to throw away when the job cannot repay it: a model so slow that its
 * first calibration run spends the budget is planned from that run, and the frame that run rendered
 * is the task's output, not drawn again.
 */
class CalibrationKeepsFramesTest {
  @Test
  void aTaskWhoseFirstCalibrationRunSpendsTheBudgetDrawsEachFrameOnce() throws Exception {
    CountingCpu device = new CountingCpu();
    // A budget any run passes: the warp stands for a model that takes seconds a frame.
    RenderSettings settings =
        Fixtures.settings("calibrationSeconds", "0.000001", "calibrationCache", "none");
    try (FrameModel warp = Models.load(BuiltinModels.WARP)) {
      Fixtures.Sinks task =
          SimulatedRuns.task(settings, device, warp, Fixtures.clip("slow", 64, 12, 0.2f));
      assertThat(task.errors).isEmpty();
      assertThat(task.metrics.stream().mapToInt(BatchMetrics::frames).sum()).isEqualTo(12);
      assertThat(task.metrics.get(0).calibrationSource()).isEqualTo("measured");
    }
    assertThat(device.framesDrawn.get())
        .as("frames drawn, calibration's one run included: each of the 12 once")
        .isEqualTo(12);
  }

  /** The CPU, counting the frames of every batch and calibration run it draws. */
  private static final class CountingCpu implements Device {
    private final AtomicInteger framesDrawn = new AtomicInteger();

    @Override
    public void beforeBatch(int frames, long pixels) {
      framesDrawn.addAndGet(frames);
    }

    @Override
    public String id() {
      return "counting-cpu";
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
      return 8L << 30;
    }

    @Override
    public long freeBytes() {
      return 8L << 30;
    }

    @Override
    public long allocatedBytes() {
      return 0;
    }

    @Override
    public long reservedBytes() {
      return 0;
    }

    @Override
    public void resetPeak() {}

    @Override
    public long peakAllocatedBytes() {
      return -1;
    }

    @Override
    public void emptyCache() {}
  }
}
