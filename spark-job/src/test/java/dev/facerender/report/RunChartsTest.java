package dev.facerender.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.facerender.metrics.BatchMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RunChartsTest {
  @Test
  void theAreaUnderTheThroughputCurveIsTheFrameCount() {
    List<BatchMetrics> batches =
        List.of(
            batch(0, 0, 8, 0, 0, 1_000, 1_250),
            batch(0, 1, 8, 0, 0, 1_250, 1_900),
            batch(1, 0, 4, 0, 0, 1_100, 3_000),
            // Finished within the same millisecond.
            batch(1, 1, 2, 0, 0, 3_000, 3_000));

    List<double[]> bins = RunCharts.throughputBins(batches);

    double width = bins.get(1)[0] - bins.get(0)[0];
    assertThat(bins).hasSize(20);
    assertThat(bins.stream().mapToDouble(p -> p[1] * width).sum()).isCloseTo(22, within(1e-9));
    // 0..0.1 s: batch 0 alone, 8 frames in 0.25 s = 32 frames/s; 0.1..0.2: plus 4 in 1.9 s.
    assertThat(bins.get(0)[1]).isCloseTo(32, within(1e-9));
    assertThat(bins.get(1)[1]).isCloseTo(32 + 4 / 1.9, within(1e-9));
  }

  @Test
  void noBatchesNoBins() {
    assertThat(RunCharts.throughputBins(List.of())).isEmpty();
  }

  /** Small runs get a line per task and a bar per partition; big ones points and executors. */
  @ParameterizedTest
  @ValueSource(ints = {1, RunCharts.MAX_LINES + 1, RunCharts.MAX_BARS + 1})
  void everyViewRendersForSmallAndBigRunsWithOoms(int partitions) throws IOException {
    List<BatchMetrics> batches = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      for (int seq = 0; seq < 4; seq++) {
        int ooms = seq == 1 ? 1 : 0;
        batches.add(
            batch(p, seq, seq == 2 ? 4 : 8, ooms, ooms, 1_000 + seq * 100L, 1_090 + seq * 100L));
      }
    }
    for (byte[] png :
        List.of(
            RunCharts.throughputOverTime(batches),
            RunCharts.batchSizeOverTime(batches),
            RunCharts.timeSplit(batches),
            RunCharts.throughputBySize(batches))) {
      assertThat(ChartsTest.colours(ChartsTest.decode(png))).isGreaterThan(10);
    }
  }

  static BatchMetrics batch(
      int partition, long seq, int size, int ooms, int splits, long start, long end) {
    return new BatchMetrics(
        "run",
        "render",
        "executor-" + partition % 3,
        "host",
        partition,
        0,
        seq,
        "cpu",
        "medium",
        256,
        256,
        8,
        ooms > 0 ? 4 : 8,
        size,
        size,
        0,
        ooms,
        splits,
        1L << 30,
        1L << 30,
        1L << 20,
        1L << 18,
        0,
        "cached",
        0,
        1_000_000,
        20_000_000L * size,
        5_000_000L * size,
        start,
        end,
        size * 1000.0 / Math.max(1, end - start));
  }
}
