package dev.facerender.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.metrics.BatchMetrics;
import dev.facerender.partition.faults.BatchFaults;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.retry.OutOfMemoryErrors;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Each frame size of a task has its own plan and ceiling. */
class FrameSizePlansTest {
  private static final long PIXELS_256 = 256L * 256;

  @Test
  void oomsAt256PxDoNotCapThe128PxClipsAndEachRowCarriesItsSizesPlan() {
    // 128 MiB free, 100 bytes per pixel: 18 frames of 256 px fit, 73 of 128 px (cap 64).
    Fixtures.PlannedDevice device = new Fixtures.PlannedDevice("two-sizes-gpu", 128L << 20, 0, 100);
    List<Row> rows = new ArrayList<>(Fixtures.clip("big-1", 256, 40, 0.1f));
    rows.addAll(Fixtures.clip("small", 128, 130, 0.2f));
    rows.addAll(Fixtures.clip("big-2", 256, 40, 0.3f));
    RenderSettings settings =
        Fixtures.settings("maxBatch", "64", "memoryFraction", "0.9", "pipelineDepth", "2");
    Fixtures.Sinks sinks = new Fixtures.Sinks();
    BatchFaults oomAbove4At256 =
        (frames, pixels) -> {
          if (pixels == PIXELS_256 && frames > 4) {
            throw new RuntimeException(
                OutOfMemoryErrors.cudaMessage(frames * pixels * 400, 0, 1L << 30, 0));
          }
        };
    int out = Fixtures.renderWithWarp(rows, settings, sinks, device, oomAbove4At256);
    assertThat(out).isEqualTo(210);
    assertThat(sinks.errors).isEmpty();

    List<BatchMetrics> big = sinks.metrics.stream().filter(m -> m.frameWidth() == 256).toList();
    List<BatchMetrics> small = sinks.metrics.stream().filter(m -> m.frameWidth() == 128).toList();
    assertThat(big.stream().mapToInt(BatchMetrics::ooms).sum()).isPositive();
    assertThat(big).allSatisfy(m -> assertThat(m.plannedBatch()).isEqualTo(18));
    assertThat(big.get(big.size() - 1).ceiling()).isLessThanOrEqualTo(4);

    // The 128 px clip came after the OOMs and still ran at its own plan, uncapped.
    assertThat(small)
        .isNotEmpty()
        .allSatisfy(
            m -> {
              assertThat(m.plannedBatch()).isEqualTo(64);
              assertThat(m.ceiling()).isEqualTo(64);
              assertThat(m.ooms()).isZero();
            });
    assertThat(small.stream().mapToInt(BatchMetrics::actualBatch).max().orElseThrow())
        .isEqualTo(64);
    assertThat(sinks.metrics.stream().mapToInt(BatchMetrics::frames).sum()).isEqualTo(210);
  }
}
