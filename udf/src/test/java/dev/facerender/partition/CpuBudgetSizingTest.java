package dev.facerender.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.codec.RgbImage;
import dev.facerender.config.DataSize;
import dev.facerender.device.CpuDevice;
import dev.facerender.metrics.BatchMetrics;
import dev.facerender.model.BuiltinModels;
import dev.facerender.model.FrameModel;
import dev.facerender.model.Models;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The reference network under a CPU budget that binds: the largest batch that fits, found by
 * rendering growing batches and seeing which the budget refuses, against what the planner makes of
 * its calibration at level high, and a run at level high in which no frame is lost.
 */
class CpuBudgetSizingTest {
  private static final int SIZE = 128;
  private static final String MODEL = BuiltinModels.SADTALKER_ARCH + "?width=0.0625";
  private static final String BUDGET = "300MiB";

  @Test
  void atLevelHighThePlanMatchesTheLargestFitAndEveryFrameRenders() {
    RenderSettings settings =
        Fixtures.settings(
            "model", MODEL,
            "windowRadius", "13",
            "level", "high",
            "cpuMemory", BUDGET,
            "calibrationCache", "none",
            "calibrationSeconds", "120");
    RgbImage face = Fixtures.rgb(SIZE);
    ModelProbe.Fit fit;
    try (ModelProbe probe = ModelProbe.open(settings, face)) {
      fit = probe.largestFit(64, 1);
    }
    int largest = fit.largest();
    assertThat(largest).as("trials %s", fit.trials()).isBetween(8, 32);
    assertThat(fit.trials()).as("the budget binds").anySatisfy(t -> assertThat(t.fits()).isFalse());

    CpuDevice device = new CpuDevice(1.0, DataSize.parse(BUDGET));
    BatchPlanner.forgetCalibrations();
    try (FrameModel model = Models.load(MODEL)) {
      BatchRenderer renderer = new BatchRenderer(model, null, device, settings, BatchFaults.NONE);
      ClipSource source = new ClipSource("plan", face, null);
      BatchPlanner planner =
          new BatchPlanner(settings, device, 42, Runtime.getRuntime().maxMemory());
      BatchPlanner.Planned planned;
      try {
        planned = planner.plan(renderer, new PendingFrame("plan", 0, new float[70 * 27], source));
      } finally {
        planner.release();
        source.release();
      }
      int limit = planned.plan().memoryLimit();
      int chosen = planned.plan().batch();
      System.out.printf(
          Locale.ROOT,
          "CPU budget %s: largest fitting batch %d (trials %s); level high plans %d, memory limit"
              + " %d (%s)%n",
          BUDGET,
          largest,
          fit.trials(),
          chosen,
          limit,
          planned.plan().reason());
      // The plan comes from calibration's straight line through its two largest sizes, the search
      // from rendering each size. On this CPU the peaks of one size spread by 10-20% from run to
      // run and grow less than linearly, so the line lands anywhere from 0.6 to 1.0 of the
      // largest fit (docs/performance.md), and since CPU allocations are zero-filled (every
      // allocated page is touched, small batches included) as low as 0.4: the budget binds, the
      // plan is not far over it. The 0.9 goal is open; this checks the plan's range only.
      assertThat(limit).as("memory binds, not the level's cap").isLessThan(64);
      assertThat(limit).isBetween(largest / 4, largest * 12 / 10);
      assertThat(chosen).isLessThanOrEqualTo(limit);

      Fixtures.Sinks run =
          SimulatedRuns.task(
              settings, device, model, Fixtures.clip("high", SIZE, 2 * chosen, 0.2f));
      // A plan at the edge of the budget meets the spread of the peaks: any batch that ran over
      // is split and retried, and no frame is lost (docs/performance.md has the measured runs).
      System.out.printf(
          Locale.ROOT,
          "level high run: batches %s, OOMs %d%n",
          run.metrics.stream().map(m -> m.frames() + "/" + m.ooms()).toList(),
          run.metrics.stream().mapToInt(BatchMetrics::ooms).sum());
      assertThat(run.metrics).allSatisfy(m -> assertThat(m.splits()).isEqualTo(m.ooms()));
      assertThat(run.metrics.get(0).plannedBatch()).isEqualTo(chosen);
      assertThat(run.metrics.stream().mapToInt(BatchMetrics::frames).sum()).isEqualTo(2 * chosen);
      assertThat(run.errors).isEmpty();
    }
  }
}
