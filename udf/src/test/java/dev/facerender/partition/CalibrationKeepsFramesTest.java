package dev.facerender.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.device.Device;
import dev.facerender.metrics.BatchMetrics;
import dev.facerender.model.BuiltinModels;
import dev.facerender.model.FrameModel;
import dev.facerender.model.Models;
import dev.facerender.partition.faults.BatchFaults;
import dev.facerender.partition.plan.BatchAssembler;
import dev.facerender.partition.task.RenderSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Calibration renders the task's own frames and keeps them as output: a model so slow that its
 * first calibration run spends the budget is planned from that run, and the frame that run rendered
 * is not drawn again; a full calibration draws the task's first frames, and the batches draw only
 * the others, to the same bytes a render without calibration gives.
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

  @Test
  void aFullCalibrationRunsTheTasksFirstFramesAndTheBatchesDrawOnlyTheRest() throws Exception {
    List<Row> clip = Fixtures.clip("own", 64, 40, 0.2f);
    CountingCpu device = new CountingCpu();
    AtomicInteger batchFrames = new AtomicInteger();
    RenderSettings calibrated =
        Fixtures.settings("calibrationSeconds", "60", "calibrationCache", "none", "maxBatch", "8");
    Map<Integer, byte[]> frames =
        render(clip, calibrated, device, (n, pixels) -> batchFrames.addAndGet(n));
    int calibrationDraws = device.framesDrawn.get() - batchFrames.get();
    assertThat(calibrationDraws)
        .as("calibration's runs: sizes 1 to 8, each warmed and timed")
        .isGreaterThan(BatchAssembler.CALIBRATION_FRAMES);
    assertThat(batchFrames.get())
        .as("the batches drew the frames calibration did not: its samples are the first ones")
        .isEqualTo(40 - BatchAssembler.CALIBRATION_FRAMES);

    Map<Integer, byte[]> plain =
        render(clip, Fixtures.settings("batchSize", "3"), new CountingCpu(), BatchFaults.NONE);
    assertThat(frames.keySet()).isEqualTo(plain.keySet()).hasSize(40);
    for (int i = 0; i < 40; i++) {
      assertThat(frames.get(i)).as("frame %d", i).isEqualTo(plain.get(i));
    }
  }

  /** Each frame row's image by frame index; a frame that comes out twice fails. */
  private static Map<Integer, byte[]> render(
      List<Row> rows, RenderSettings settings, Device device, BatchFaults faults) {
    Map<Integer, byte[]> images = new HashMap<>();
    Fixtures.Sinks sinks = new Fixtures.Sinks();
    Fixtures.renderWithWarp(
        rows,
        settings,
        sinks,
        device,
        faults,
        row ->
            assertThat(images.put(row.getInt(1), (byte[]) row.get(5)))
                .as("frame %d once", row.getInt(1))
                .isNull());
    assertThat(sinks.errors).isEmpty();
    return images;
  }

  /** The CPU, counting the frames of every batch and calibration run it draws. */
  private static final class CountingCpu extends FakeCpu {
    private final AtomicInteger framesDrawn = new AtomicInteger();

    CountingCpu() {
      super("counting-cpu");
    }

    @Override
    public void beforeBatch(int frames, long pixels) {
      framesDrawn.addAndGet(frames);
    }
  }
}
