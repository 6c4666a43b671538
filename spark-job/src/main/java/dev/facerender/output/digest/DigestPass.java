package dev.facerender.output.digest;

import dev.facerender.metrics.BatchMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The digest's second pass, once the run's first start and the bin width are known: batches per
 * time bin and per task, each task's plan per frame size (by its first batch), and the sample.
 */
final class DigestPass implements BatchRows.Part<DigestPass> {
  private static final long serialVersionUID = 1L;

  private static final Comparator<Map<String, Object>> TASK_ORDER =
      Comparator.<Map<String, Object>>comparingLong(t -> (Long) t.get("first_start_millis"))
          .thenComparingInt(t -> (Integer) t.get("partition"))
          .thenComparingInt(t -> (Integer) t.get("attempt"))
          .thenComparing(t -> (String) t.get("executor"))
          .thenComparing(t -> (String) t.get("host"))
          .thenComparing(t -> (String) t.get("device"));

  private final long first;
  private final long width;
  private final TreeMap<Long, BatchSums> bins = new TreeMap<>();
  private final HashMap<List<Object>, BatchSums> tasks = new HashMap<>();
  private final HashMap<List<Object>, BatchMetrics> plans = new HashMap<>();
  private final BatchSample sample = new BatchSample();

  DigestPass(long first, long width) {
    this.first = first;
    this.width = width;
  }

  @Override
  public void add(BatchMetrics b) {
    bins.computeIfAbsent((b.startMillis() - first) / width, k -> new BatchSums()).add(b);
    tasks
        .computeIfAbsent(
            List.of(b.executor(), b.host(), b.device(), b.partition(), b.attempt()),
            k -> new BatchSums())
        .add(b);
    plans.merge(
        List.of(b.executor(), b.partition(), b.attempt(), b.frameWidth(), b.frameHeight()),
        b,
        DigestPass::earlier);
    sample.add(b);
  }

  @Override
  public DigestPass merge(DigestPass other) {
    other.bins.forEach((bin, sums) -> bins.merge(bin, sums, BatchSums::merge));
    other.tasks.forEach((task, sums) -> tasks.merge(task, sums, BatchSums::merge));
    other.plans.forEach((plan, b) -> plans.merge(plan, b, DigestPass::earlier));
    sample.merge(other.sample);
    return this;
  }

  /** The bins with batches, in time order. */
  List<Map<String, Object>> bins() {
    List<Map<String, Object>> rows = new ArrayList<>();
    bins.forEach((bin, sums) -> rows.add(sums.bin(first + bin * width, width)));
    return rows;
  }

  /** A row per task, by first start; the rest of its key breaks ties. */
  List<Map<String, Object>> tasks() {
    List<Map<String, Object>> rows = new ArrayList<>();
    tasks.forEach((task, sums) -> rows.add(sums.task(task)));
    rows.sort(TASK_ORDER);
    return rows;
  }

  /**
   * Plans measured in this run (and what measuring cost), taken from the calibration cache or an
   * earlier task of the executor, or fixed: each counted once, by its first batch.
   */
  Map<String, Object> calibration() {
    Map<String, Object> result = new LinkedHashMap<>();
    for (String source : List.of("measured", "cached", "none")) {
      result.put(
          source + "_plans",
          plans.values().stream().filter(b -> source.equals(b.calibrationSource())).count());
    }
    long nanos = plans.values().stream().mapToLong(BatchMetrics::calibrationNanos).sum();
    result.put("measuring_seconds", nanos / 1e9);
    return result;
  }

  List<BatchMetrics> sample() {
    return sample.inTimeOrder();
  }

  private static BatchMetrics earlier(BatchMetrics a, BatchMetrics b) {
    int bySeq = Long.compare(a.batchSeq(), b.batchSeq());
    return bySeq < 0 || (bySeq == 0 && BatchSample.TIME.compare(a, b) <= 0) ? a : b;
  }
}
