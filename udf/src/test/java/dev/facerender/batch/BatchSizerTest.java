package dev.facerender.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BatchSizerTest {
  private static final long GIB = 1L << 30;
  private static final long MIB = 1L << 20;

  private static BatchSizer.Input input(
      long free, long others, int sharers, double fraction, int cap, List<ThroughputPoint> curve) {
    return new BatchSizer.Input(
        free, free, others, sharers, fraction, 150 * MIB, 1000 * MIB, cap, curve);
  }

  private static BatchSizer.Input input(List<ThroughputPoint> curve, Level level) {
    return input(curve, level, false);
  }

  private static BatchSizer.Input input(List<ThroughputPoint> curve, Level level, boolean cpu) {
    return new BatchSizer.Input(
        8 * GIB,
        8 * GIB,
        0,
        1,
        0.5,
        150 * MIB,
        1000 * MIB,
        1024,
        curve,
        HeapLimit.NONE,
        level.speedTolerance(),
        cpu);
  }

  @Test
  void memoryBoundsTheBatchAndTheReasonShowsTheArithmetic() {
    BatchPlan plan = BatchSizer.plan(input(8 * GIB, 0, 1, 0.5, 1024, List.of()));
    // (8192 * 0.5 - 1000) / 150 = 20
    assertThat(plan.batch()).isEqualTo(20);
    assertThat(plan.reason())
        .contains("4096.0 MiB")
        .contains("150.0 MiB per frame")
        .contains("20 frames");
  }

  @Test
  void otherTasksOnTheDeviceShrinkTheBudgetAndSharersSplitIt() {
    assertThat(BatchSizer.plan(input(8 * GIB, 2 * GIB, 1, 1.0, 1024, List.of())).batch())
        .isEqualTo((int) ((6 * GIB - 1000 * MIB) / (150 * MIB)));
    assertThat(BatchSizer.plan(input(8 * GIB, 0, 4, 1.0, 1024, List.of())).batch())
        .isEqualTo((int) ((2 * GIB - 1000 * MIB) / (150 * MIB)));
  }

  @Test
  void neverABatchThatCalibrationMeasuredSlowerThanASmallerOne() {
    List<ThroughputPoint> cpu =
        List.of(
            new ThroughputPoint(1, -1, 1330),
            new ThroughputPoint(2, -1, 1900),
            new ThroughputPoint(4, -1, 1600),
            new ThroughputPoint(8, -1, 1350));
    BatchPlan plan = BatchSizer.plan(input(64 * GIB, 0, 1, 0.9, 1024, cpu));
    assertThat(plan.batch()).isEqualTo(2);
    assertThat(plan.reason()).contains("fastest measured batch within it: 2");
  }

  @Test
  void onTheCpuOneMeasuredBatchIsNotExtrapolatedToTheMemoryLimit() {
    // A network so slow that calibration timed batch 1 alone (the stock SadTalker renderer).
    List<ThroughputPoint> one = List.of(new ThroughputPoint(1, -1, 0.15));
    BatchPlan cpu = BatchSizer.plan(input(one, Level.HIGH, true));
    assertThat(cpu.batch()).isEqualTo(1);
    assertThat(cpu.memoryLimit()).isEqualTo(20);
    assertThat(cpu.reason())
        .contains("on the CPU one batch size was measured, 1")
        .contains("fastest");
    // A GPU fills up with the batch: the same single point takes the memory limit there.
    assertThat(BatchSizer.plan(input(one, Level.HIGH, false)).batch()).isEqualTo(20);
    // Two sizes timed on the CPU are evidence: speed rising at the largest takes the limit.
    List<ThroughputPoint> rising =
        List.of(new ThroughputPoint(1, -1, 100), new ThroughputPoint(2, -1, 150));
    assertThat(BatchSizer.plan(input(rising, Level.HIGH, true)).batch()).isEqualTo(20);
  }

  @Test
  void onTheCpuALevelCurveStaysAtTheLargestMeasuredBatch() {
    // Within noise of each other: a larger batch on a CPU would only add memory and length.
    List<ThroughputPoint> level =
        List.of(
            new ThroughputPoint(1, -1, 100),
            new ThroughputPoint(2, -1, 101),
            new ThroughputPoint(4, -1, 100.5));
    BatchPlan cpu = BatchSizer.plan(input(level, Level.HIGH, true));
    assertThat(cpu.batch()).isEqualTo(4);
    assertThat(cpu.memoryLimit()).isEqualTo(20);
    assertThat(cpu.reason()).contains("fastest measured batch within it: 2");
    // A GPU's occupancy may still grow past the measured sizes: level there takes the limit.
    assertThat(BatchSizer.plan(input(level, Level.HIGH, false)).batch()).isEqualTo(20);
  }

  @Test
  void whenSpeedStillRisesAtTheLargestMeasuredBatchTheMemoryLimitIsTaken() {
    List<ThroughputPoint> gpu =
        List.of(
            new ThroughputPoint(1, -1, 200),
            new ThroughputPoint(2, -1, 380),
            new ThroughputPoint(4, -1, 700));
    BatchPlan plan = BatchSizer.plan(input(8 * GIB, 0, 1, 0.5, 1024, gpu));
    assertThat(plan.batch()).isEqualTo(20);
  }

  @Test
  void aMeasuredSizeBeyondTheBudgetThatWasFasterStillPointsToTheMemoryLimit() {
    List<ThroughputPoint> gpu =
        List.of(new ThroughputPoint(16, -1, 1500), new ThroughputPoint(32, -1, 2600));
    assertThat(BatchSizer.plan(input(8 * GIB, 0, 1, 0.5, 1024, gpu)).batch()).isEqualTo(20);
  }

  @Test
  void levelsPlanNonDecreasingBatches() {
    int previous = 0;
    for (Level level : Level.values()) {
      int batch =
          BatchSizer.plan(
                  input(24 * GIB, 0, 1, level.memoryFraction(), level.maxBatch(), List.of()))
              .batch();
      assertThat(batch).isGreaterThanOrEqualTo(previous);
      previous = batch;
    }
  }

  @Test
  void aBudgetBelowOneFrameStillPlansOneFrame() {
    assertThat(BatchSizer.plan(input(1 * GIB, 0, 1, 0.5, 64, List.of())).batch()).isEqualTo(1);
  }

  @Test
  void measuredPeaksAroundTheBudgetOutrankTheLine() {
    // The line says (4096 - 1000) / 150 = 20; 22 frames were rendered within the budget, 24 not.
    List<ThroughputPoint> measured =
        List.of(
            new ThroughputPoint(16, 3500 * MIB, 10),
            new ThroughputPoint(22, 4090 * MIB, 10),
            new ThroughputPoint(24, 4200 * MIB, 10));
    assertThat(BatchSizer.plan(input(8 * GIB, 0, 1, 0.5, 1024, measured)).memoryLimit())
        .isEqualTo(22);
    List<ThroughputPoint> over = List.of(new ThroughputPoint(18, 4100 * MIB, 10));
    assertThat(BatchSizer.plan(input(8 * GIB, 0, 1, 0.5, 1024, over)).memoryLimit()).isEqualTo(17);
  }

  @Test
  void onALevelSpeedCurveTheMemoryLimitIsTakenNotWhateverSizeTheNoiseFavoured() {
    // The reference network on a CPU: the same cost per frame at every batch, within noise.
    List<ThroughputPoint> level =
        List.of(
            new ThroughputPoint(1, -1, 2.0),
            new ThroughputPoint(2, -1, 1.9),
            new ThroughputPoint(4, -1, 1.95),
            new ThroughputPoint(8, -1, 1.85));
    BatchPlan plan = BatchSizer.plan(input(8 * GIB, 0, 1, 0.5, 1024, level));
    assertThat(plan.batch()).isEqualTo(20);
    assertThat(plan.reason()).contains("within 10% of the fastest");
  }

  @Test
  void aLargerBatchWithinTheToleranceIsChosenOverTheFastestWhenSpeedThenFalls() {
    List<ThroughputPoint> falling =
        List.of(
            new ThroughputPoint(1, -1, 100),
            new ThroughputPoint(2, -1, 98),
            new ThroughputPoint(4, -1, 95),
            new ThroughputPoint(8, -1, 70));
    BatchPlan plan = BatchSizer.plan(input(8 * GIB, 0, 1, 0.5, 1024, falling));
    assertThat(plan.batch()).isEqualTo(4);
    assertThat(plan.reason()).contains("the largest within 10% of it: 4");
  }

  @Test
  void levelsThatPushLookPastMoreTimingSpreadToReachTheMemoryLimit() {
    // Measured on this CPU (the reference network, 300 MiB budget): batch 4 at 1.62 frames/s in
    // one calibration, 8 at 1.37, 16% apart, where other runs measured the two level.
    List<ThroughputPoint> spread =
        List.of(
            new ThroughputPoint(1, -1, 1.2),
            new ThroughputPoint(2, -1, 1.3),
            new ThroughputPoint(4, -1, 1.62),
            new ThroughputPoint(8, -1, 1.37));
    int[] batches = new int[Level.values().length];
    for (Level level : Level.values()) {
      batches[level.ordinal()] = BatchSizer.plan(input(spread, level)).batch();
    }
    // low and medium keep the fastest measured size; high and extreme take the memory limit, 20.
    assertThat(batches).containsExactly(4, 4, 20, 20);
  }
}
