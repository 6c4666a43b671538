package dev.facerender.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.device.GpuReserve;
import dev.facerender.device.sim.CachingAllocator;
import dev.facerender.device.sim.GpuSpec;
import dev.facerender.device.sim.SimulatedGpu;
import dev.facerender.diagnostics.DeviceDoctor;
import dev.facerender.metrics.BatchMetrics;
import dev.facerender.partition.task.RenderSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Memory accounting against the simulated caching allocator: weights once, fragmentation. */
class GpuMemoryTest {
  private static final long GIB = 1L << 30;
  private static final long MIB = 1L << 20;

  @Test
  void threeGibOfWeightsOnAnEightGibGpuAreCountedOnce() throws Exception {
    GpuSpec spec = new GpuSpec(8 * GIB, 512 * MIB, 0, 3 * GIB);
    SimulatedGpu gpu = new SimulatedGpu("sim-weights-once", 0, spec);
    RenderSettings settings = Fixtures.shared(1, 1, "level", "high", "pipelineDepth", "1");
    Fixtures.Sinks task =
        SimulatedRuns.concurrently(
                List.of(settings), gpu, List.of(Fixtures.clip("weights", 256, 60, 0.2f)))
            .get(0);

    BatchMetrics first = task.metrics.get(0);
    // What a batch may have: the device less its context and the weights, and less the headroom
    // the allocator's cap keeps for cuDNN and cuBLAS.
    assertThat(first.freeBytes())
        .isEqualTo(8 * GIB - 512 * MIB - 3 * GIB - GpuReserve.headroomBytes(8 * GIB));
    assertThat(first.fixedBytes()).as("the weights are not a batch's").isLessThan(256 * MIB);
    int largest = spec.largestFit(256 * 256, 256);
    assertThat(first.plannedBatch())
        .isLessThanOrEqualTo(largest)
        .isGreaterThanOrEqualTo(largest * 9 / 10);
    assertThat(task.metrics).allSatisfy(m -> assertThat(m.ooms()).isZero());
    assertThat(task.metrics.stream().mapToInt(BatchMetrics::frames).sum()).isEqualTo(60);
  }

  @Test
  void batchesPlannedAtLevelHighRunBackToBackWithoutFragmentationOoms() throws Exception {
    // A 16 GiB device at level high plans near the largest batch that fits once; the second batch
    // of that size used to run on segments cut by the first and fail with bytes to spare.
    GpuSpec spec = GpuSpec.of(16 * GIB);
    SimulatedGpu gpu = new SimulatedGpu("sim-level-high-repeat", 0, spec);
    RenderSettings settings = Fixtures.shared(1, 1, "level", "high", "pipelineDepth", "1");
    List<org.apache.spark.sql.Row> rows = new java.util.ArrayList<>();
    rows.addAll(Fixtures.clip("repeat-a", 256, 180, 0.2f));
    rows.addAll(Fixtures.clip("repeat-b", 256, 180, 0.4f));
    Fixtures.Sinks task = SimulatedRuns.concurrently(List.of(settings), gpu, List.of(rows)).get(0);

    int largest = spec.largestFit(256 * 256, 256);
    int planned = task.metrics.get(0).plannedBatch();
    assertThat(planned).isLessThanOrEqualTo(largest).isGreaterThanOrEqualTo(largest * 9 / 10);
    assertThat(task.metrics.stream().filter(m -> m.frames() == planned).count())
        .as("batches of the planned size, back to back")
        .isGreaterThanOrEqualTo(2);
    assertThat(task.metrics).allSatisfy(m -> assertThat(m.ooms()).isZero());
    assertThat(gpu.allocator().fragmentationOoms()).isZero();
    assertThat(task.errors).isEmpty();
    assertThat(task.metrics.stream().mapToInt(BatchMetrics::frames).sum()).isEqualTo(360);
  }

  @Test
  void aFragmentationOomIsSplitAndRetriedAndLaterBatchesAvoidIt() throws Exception {
    SimulatedGpu gpu = new SimulatedGpu("sim-fragmented", 0, GpuSpec.of(8 * GIB));
    gpu.modelLoaded("builtin:warp");
    // Another part of this process keeps three small tensors spread over a cached 5 GiB
    // segment: the cache holds four 1.25 GiB holes, which count as plannable but cannot serve
    // one larger tensor, and the device has less than that left outside the cache.
    CachingAllocator allocator = gpu.allocator();
    long hole = 1280 * MIB;
    long pinSize = 64 * MIB;
    allocator.free(allocator.malloc(4 * hole + 3 * pinSize));
    List<CachingAllocator.Block> holes = new java.util.ArrayList<>();
    List<CachingAllocator.Block> pins = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      holes.add(allocator.malloc(hole));
      if (i < 3) {
        pins.add(allocator.malloc(pinSize));
      }
    }
    holes.forEach(allocator::free);
    assertThat(gpu.freeBytes()).isLessThan(2 * hole);
    // Batches of 60, fixed. The holes were freed on the default stream, so the task's own
    // stream cannot take them (the allocator reuses a block only on its stream), though they
    // count as plannable: the first batch meets a fragmentation OOM. No growth back within this
    // clip, so what follows the split shows the lowered ceiling.
    RenderSettings settings =
        Fixtures.shared(
            1, 1, "level", "high", "batchSize", "60", "growAfter", "1000", "pipelineDepth", "1");
    Fixtures.Sinks task =
        SimulatedRuns.concurrently(
                List.of(settings), gpu, List.of(Fixtures.clip("fragments", 256, 400, 0.3f)))
            .get(0);

    assertThat(allocator.fragmentationOoms()).as("OOMs while the bytes added up").isPositive();
    List<BatchMetrics> batches = task.metrics;
    assertThat(batches.get(0).ooms()).isPositive();
    assertThat(batches.get(0).splits()).isPositive();
    assertThat(batches.subList(1, batches.size()))
        .isNotEmpty()
        .allSatisfy(m -> assertThat(m.ooms()).isZero());
    assertThat(task.errors).isEmpty();
    assertThat(batches.stream().mapToInt(BatchMetrics::frames).sum()).isEqualTo(400);
    assertThat(batches.get(0).plannedBatch()).isEqualTo(60);
    pins.forEach(allocator::free);
  }

  @Test
  void batchesAtLevelExtremeLeaveTheLibrariesTheirMemory() throws Exception {
    // Level extreme sizes at 98% of what the allocator may take; cuDNN and cuBLAS need 768 MiB
    // beside each pass outside the allocator (SimulatedGpu.LIBRARY_BYTES), which a 16 GiB GPU
    // planned to 98% of its free bytes would not have: the process would die, not raise an OOM.
    SimulatedGpu gpu = new SimulatedGpu("sim-extreme", 0, GpuSpec.of(16 * GIB));
    RenderSettings settings = Fixtures.shared(1, 1, "level", "extreme", "pipelineDepth", "1");
    Fixtures.Sinks task =
        SimulatedRuns.concurrently(
                List.of(settings), gpu, List.of(Fixtures.clip("extreme", 256, 400, 0.3f)))
            .get(0);
    assertThat(task.metrics.get(0).plannedBatch()).isGreaterThan(100);
    assertThat(task.errors).isEmpty();
    assertThat(task.metrics.stream().mapToInt(BatchMetrics::frames).sum()).isEqualTo(400);
    assertThat(gpu.reservedBytes())
        .as("the allocator stays under its cap")
        .isLessThanOrEqualTo(
            16 * GIB - SimulatedGpu.CONTEXT_BYTES - GpuReserve.headroomBytes(16 * GIB));
  }

  @Test
  void theDoctorAtLevelExtremeLeavesTheLibrariesTheirMemory() {
    // The doctor calibrates toward the level's limit with repeated runs of each size: a second
    // run of a size near the limit starts with the first one's segments cached, and the libraries'
    // memory must still be there (an H200 died inside cuDNN doing this at 98% of its memory).
    RenderSettings settings =
        Fixtures.settings("simulateGpu", "16GiB", "level", "extreme", "calibrationCache", "none");
    DeviceDoctor.Report report =
        DeviceDoctor.examine(settings, Fixtures.rgb(256), java.util.Map.of());
    assertThat(report.levels()).containsKey("extreme");
  }
}
