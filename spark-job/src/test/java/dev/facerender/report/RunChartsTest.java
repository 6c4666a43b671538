package dev.facerender.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.facerender.job.MetricsDigest;
import dev.facerender.metrics.BatchMetrics;
import dev.facerender.output.digest.BatchRows;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RunChartsTest {
  @Test
  void theBinsHoldEveryBatchsFramesAndTheirRate() {
    List<BatchMetrics> batches =
        List.of(
            batch(0, 0, 8, 0, 0, 1_000, 1_250),
            batch(0, 1, 8, 0, 0, 1_250, 1_900),
            batch(1, 0, 4, 0, 0, 1_100, 3_000),
            // Finished within the same millisecond.
            batch(1, 1, 2, 0, 0, 3_000, 3_000));

    List<RunFigures.Bin> bins = RunFigures.bins(digest(batches));

    assertThat(bins.stream().mapToLong(RunFigures.Bin::frames).sum()).isEqualTo(22);
    // 2 s in bins of 20 ms; the first holds the batch that started at 0 s.
    assertThat(bins.get(0).fromSeconds()).isZero();
    assertThat(bins.get(0).toSeconds()).isCloseTo(0.02, within(1e-9));
    assertThat(bins.get(0).framesPerSecond()).isCloseTo(8 / 0.02, within(1e-9));
  }

  /** Beyond MAX_BARS partitions, a bar per executor sums the task rows that ran on it. */
  @Test
  void theTimeSplitSumsEveryTaskRowOfAnExecutor() {
    List<BatchMetrics> batches = new ArrayList<>();
    for (int p = 0; p <= RunFigures.MAX_BARS; p++) {
      batches.add(batch(p, 0, 8, 0, 0, 1_000, 1_100));
      batches.add(batch(p, 1, 4, 0, 0, 1_100, 1_200));
    }

    RunFigures.Split split = RunFigures.timeSplit(digest(batches));

    // 33 partitions on three executors: 11 tasks of 12 frames each.
    assertThat(split.axis()).isEqualTo("executor");
    assertThat(split.groups())
        .extracting(RunFigures.Group::name)
        .containsExactly("executor-0", "executor-1", "executor-2");
    RunFigures.Group first = split.groups().get(0);
    assertThat(first.batches()).isEqualTo(22);
    assertThat(first.frames()).isEqualTo(132);
    assertThat(first.renderNanos()).isEqualTo(20_000_000L * 132);
    assertThat(first.renderOnlyFramesPerSecond()).isCloseTo(50, within(1e-9));
  }

  /** Small runs get a line per task and a bar per partition; big ones points and executors. */
  @ParameterizedTest
  @ValueSource(ints = {1, RunCharts.MAX_LINES + 1, RunFigures.MAX_BARS + 1})
  void everyViewRendersForSmallAndBigRunsWithOoms(int partitions) throws IOException {
    List<BatchMetrics> batches = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      for (int seq = 0; seq < 4; seq++) {
        int ooms = seq == 1 ? 1 : 0;
        batches.add(
            batch(p, seq, seq == 2 ? 4 : 8, ooms, ooms, 1_000 + seq * 100L, 1_090 + seq * 100L));
      }
    }
    MetricsDigest digest = digest(batches);
    for (byte[] png :
        List.of(
            RunCharts.throughputOverTime(
                RunFigures.bins(digest), batches, RunFigures.start(digest), digest.sampleLabel()),
            RunCharts.batchSizeOverTime(batches, RunFigures.start(digest)),
            RunCharts.timeSplit(RunFigures.timeSplit(digest)),
            RunCharts.throughputBySize(batches, digest.sampleLabel()))) {
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

  /** The digest of {@code batches}, folded as the local engine folds a table: in one part. */
  private static MetricsDigest digest(List<BatchMetrics> batches) {
    return (new BatchRows() {
          @Override
          public <P extends Part<P>> P fold(Zero<P> zero) {
            P part = zero.get();
            batches.forEach(part::add);
            return part;
          }
        })
        .digest("metrics");
  }
}
