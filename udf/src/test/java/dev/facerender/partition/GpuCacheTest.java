package dev.facerender.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.device.sim.GpuSpec;
import dev.facerender.device.sim.SimulatedGpu;
import dev.facerender.metrics.BatchMetrics;
import dev.facerender.partition.task.RenderSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The render leaves the caching allocator to cache: batches of one size far below the device's
 * memory reuse the segments the first one took, and only batches near the limit start from whole
 * segments.
 */
class GpuCacheTest {
  private static final long GIB = 1L << 30;

  private static long segmentsFor(int frames) throws Exception {
    SimulatedGpu gpu = new SimulatedGpu("sim-cache-" + frames, 0, GpuSpec.of(64 * GIB));
    RenderSettings settings = Fixtures.shared(1, 1, "batchSize", "16", "pipelineDepth", "1");
    Fixtures.Sinks task =
        SimulatedRuns.concurrently(
                List.of(settings), gpu, List.of(Fixtures.clip("cached", 128, frames, 0.2f)))
            .get(0);
    assertThat(task.metrics).allSatisfy(m -> assertThat(m.frames()).isEqualTo(16));
    return gpu.allocator().segmentsAllocated();
  }

  @Test
  void batchesOfOneSizeFarBelowTheLimitReuseTheSegmentsOfTheFirst() throws Exception {
    // Four batches take no more segments from the device than one: nothing was handed back.
    assertThat(segmentsFor(64)).isEqualTo(segmentsFor(16));
  }

  @Test
  void backToBackBatchesNearTheLimitRunWithoutOoms() throws Exception {
    // 16 GiB at level high plans ~178 frames of 256 px; the second of two such batches in a row
    // fails on the segments the first cut unless it starts from whole ones.
    SimulatedGpu gpu = new SimulatedGpu("sim-back-to-back", 0, GpuSpec.of(16 * GIB));
    RenderSettings settings = Fixtures.shared(1, 1, "level", "high", "pipelineDepth", "1");
    Fixtures.Sinks task =
        SimulatedRuns.concurrently(
                List.of(settings), gpu, List.of(Fixtures.clip("long", 256, 400, 0.3f)))
            .get(0);
    int planned = task.metrics.get(0).plannedBatch();
    assertThat(planned).isGreaterThan(150);
    assertThat(task.metrics.subList(0, 2))
        .as("two batches of the planned size in a row")
        .allSatisfy(m -> assertThat(m.frames()).isEqualTo(planned));
    assertThat(task.metrics).allSatisfy(m -> assertThat(m.ooms()).isZero());
    assertThat(gpu.allocator().fragmentationOoms()).isZero();
    assertThat(task.metrics.stream().mapToInt(BatchMetrics::frames).sum()).isEqualTo(400);
  }
}
