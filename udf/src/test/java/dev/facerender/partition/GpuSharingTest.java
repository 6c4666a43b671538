package dev.facerender.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.device.BatchPeaks;
import dev.facerender.device.Device;
import dev.facerender.device.sim.GpuSpec;
import dev.facerender.device.sim.SimulatedGpu;
import dev.facerender.metrics.BatchMetrics;
import dev.facerender.model.BuiltinModels;
import dev.facerender.model.FrameModel;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.runtime.DeviceState;
import dev.facerender.runtime.ExecutorRuntime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Lock;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Tasks sharing one simulated GPU plan their share of it, and calibrate as if alone. */
class GpuSharingTest {
  private static final long GIB = 1L << 30;
  private static final double HIGH = 0.95;

  private static long plannedBytes(BatchMetrics m) {
    return m.fixedBytes() + m.perFrameBytes() * m.plannedBatch();
  }

  private static List<List<Row>> clips(int tasks, int size, int frames) {
    List<List<Row>> partitions = new ArrayList<>();
    for (int t = 0; t < tasks; t++) {
      partitions.add(Fixtures.clip("clip-" + t, size, frames, 0.1f * t));
    }
    return partitions;
  }

  @Test
  void fourTasksAtAQuarterGpuEachPlanAQuarterAndNeverTogetherMoreThanTheDevice() throws Exception {
    // spark.executor.cores=8, one GPU, spark.task.resource.gpu.amount=0.25: 4 tasks, 4 per GPU.
    SimulatedGpu gpu = new SimulatedGpu("sim-quarter", 0, GpuSpec.of(8 * GIB));
    RenderSettings settings = Fixtures.shared(4, 4, "level", "high", "pipelineDepth", "1");
    List<Fixtures.Sinks> tasks =
        SimulatedRuns.concurrently(Collections.nCopies(4, settings), gpu, clips(4, 256, 48));

    long atRest = gpu.plannableBytes();
    long together = 0;
    for (Fixtures.Sinks task : tasks) {
      assertThat(task.errors).isEmpty();
      BatchMetrics first = task.metrics.get(0);
      assertThat(first.freeBytes()).as("planned with the device at rest").isEqualTo(atRest);
      long quarter = (long) (atRest * HIGH / 4);
      assertThat(plannedBytes(first)).isLessThanOrEqualTo(quarter).isGreaterThan(quarter * 8 / 10);
      assertThat(task.metrics).allSatisfy(m -> assertThat(m.ooms()).isZero());
      together += plannedBytes(first);
    }
    assertThat(together).isLessThanOrEqualTo((long) (atRest * HIGH));
  }

  @Test
  void oneTaskOwningTheGpuPlansAllOfIt() throws Exception {
    // spark.task.resource.gpu.amount=1: one task per GPU.
    SimulatedGpu gpu = new SimulatedGpu("sim-whole", 0, GpuSpec.of(8 * GIB));
    RenderSettings settings = Fixtures.shared(1, 1, "level", "high", "pipelineDepth", "1");
    Fixtures.Sinks task =
        SimulatedRuns.concurrently(List.of(settings), gpu, clips(1, 256, 120)).get(0);

    long whole = (long) (gpu.plannableBytes() * HIGH);
    BatchMetrics first = task.metrics.get(0);
    assertThat(plannedBytes(first)).isLessThanOrEqualTo(whole).isGreaterThan(whole * 9 / 10);
    int largest = GpuSpec.of(8 * GIB).largestFit(256 * 256, 256);
    assertThat(first.plannedBatch())
        .isLessThanOrEqualTo(largest)
        .isGreaterThanOrEqualTo(largest * 9 / 10);
    assertThat(task.metrics).allSatisfy(m -> assertThat(m.ooms()).isZero());
  }

  @Test
  void twoTasksCalibratingAtOnceMeasureWhatEachMeasuresAlone() throws Exception {
    // Different caps: two calibrations of the same model, each while the other task renders.
    RenderSettings wide = Fixtures.shared(2, 2, "level", "high", "maxBatch", "32");
    RenderSettings narrow = Fixtures.shared(2, 2, "level", "high", "maxBatch", "16");
    long[] alone = new long[2];
    int i = 0;
    for (RenderSettings s : List.of(wide, narrow)) {
      SimulatedGpu gpu = new SimulatedGpu("sim-alone-" + i, 0, GpuSpec.of(8 * GIB));
      alone[i++] =
          SimulatedRuns.concurrently(List.of(s), gpu, clips(1, 256, 40))
              .get(0)
              .metrics
              .get(0)
              .perFrameBytes();
    }
    SimulatedGpu shared = new SimulatedGpu("sim-together", 0, GpuSpec.of(8 * GIB));
    List<Fixtures.Sinks> together =
        SimulatedRuns.concurrently(List.of(wide, narrow), shared, clips(2, 256, 80));

    for (int t = 0; t < 2; t++) {
      long perFrame = together.get(t).metrics.get(0).perFrameBytes();
      assertThat((double) perFrame).isBetween(alone[t] * 0.9, alone[t] * 1.1);
    }
  }

  /** Whether another thread gets a batch's (read) lock on the device of {@code state} at once. */
  private static boolean batchCanStart(DeviceState state) throws Exception {
    return CompletableFuture.supplyAsync(
            () -> {
              Lock batch = state.lock().readLock();
              boolean got = batch.tryLock();
              if (got) {
                batch.unlock();
              }
              return got;
            })
        .get();
  }

  @Test
  void twoSimulatedGpusOfDifferentSizesInOneJvmKeepTheirOwnPeaksLocksAndBudgets() throws Exception {
    try (ExecutorRuntime executor = new ExecutorRuntime()) {
      Device small = executor.devices().forTask(6 * GIB, 0.5, 0, Map.of());
      Device large = executor.devices().forTask(12 * GIB, 0.5, 0, Map.of());
      assertThat(small.id()).isEqualTo(large.id()).isEqualTo("sim-gpu:0");
      assertThat(small).isNotSameAs(large);
      assertThat(executor.devices().forTask(6 * GIB, 0.5, 0, Map.of())).isSameAs(small);
      DeviceState onSmall = executor.on(small);
      DeviceState onLarge = executor.on(large);
      assertThat(executor.on(small)).isSameAs(onSmall);

      // The weights are loaded once on the CPU both render on, and counted on each.
      FrameModel smallModel = executor.models().get(BuiltinModels.WARP, small);
      assertThat(executor.models().get(BuiltinModels.WARP, large)).isSameAs(smallModel);
      assertThat(large.allocatedBytes()).isPositive().isEqualTo(small.allocatedBytes());

      // A task's lease on one is not held on the other.
      onSmall.budget().lease(1, 3 * GIB);
      assertThat(onSmall.budget().heldByOthers(2)).isEqualTo(3 * GIB);
      assertThat(onLarge.budget().heldByOthers(2)).isZero();
      onSmall.budget().release(1);

      // A batch running on one neither overlaps nor hides the peak of a batch on the other.
      BatchPeaks.Window smallBatch = onSmall.peaks().begin(4);
      BatchPeaks.Window largeBatch = onLarge.peaks().begin(4);
      assertThat(largeBatch.startedAlone()).isTrue();
      large.beforeBatch(4, 256 * 256);
      large.afterBatch();
      assertThat(onLarge.peaks().end(largeBatch)).isPositive();
      assertThat(onSmall.peaks().end(smallBatch)).isZero();

      // Calibrating one (its write lock) stalls batches on it only.
      Lock calibrating = onSmall.lock().writeLock();
      calibrating.lock();
      try {
        assertThat(batchCanStart(onSmall)).isFalse();
        assertThat(batchCanStart(onLarge)).isTrue();
      } finally {
        calibrating.unlock();
      }
    }
  }

  @Test
  void aClosedExecutorClosesItsModelsAndAFreshOneStartsWithNothing() {
    FrameModel loaded;
    Device device;
    try (ExecutorRuntime executor = new ExecutorRuntime()) {
      device = executor.devices().forTask(4 * GIB, 0.5, 0, Map.of());
      loaded = executor.models().get(BuiltinModels.WARP, device);
      assertThat(loaded.parameterCount()).as("open: the warp has no parameters").isZero();
      executor.on(device).budget().lease(7, GIB);
    }
    assertThatThrownBy(loaded::parameterCount).hasMessageContaining("is closed");

    // A new executor shares nothing with the closed one.
    try (ExecutorRuntime fresh = new ExecutorRuntime()) {
      Device again = fresh.devices().forTask(4 * GIB, 0.5, 0, Map.of());
      assertThat(again).isNotSameAs(device);
      assertThat(fresh.on(again).budget().heldByOthers(0)).isZero();
      assertThat(fresh.models().get(BuiltinModels.WARP, again)).isNotSameAs(loaded);
    }
  }
}
