package dev.facerender.schedule.local;

import dev.facerender.metrics.BatchMetrics;
import dev.facerender.output.MetricsDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * {@link MetricsDigest} of the local engine's batches, which the driver holds: the same totals,
 * time bins, per-task summaries, sample and calibration, in the same fields, computed in memory.
 */
public final class LocalDigest {
  private static final Map<String, ToLongFunction<BatchMetrics>> SUMMED = new LinkedHashMap<>();

  static {
    SUMMED.put("frames", BatchMetrics::frames);
    SUMMED.put("errors", BatchMetrics::errors);
    SUMMED.put("ooms", BatchMetrics::ooms);
    SUMMED.put("splits", BatchMetrics::splits);
    SUMMED.put("decode_nanos", BatchMetrics::decodeNanos);
    SUMMED.put("render_nanos", BatchMetrics::renderNanos);
    SUMMED.put("encode_nanos", BatchMetrics::encodeNanos);
    if (!List.copyOf(SUMMED.keySet()).equals(List.of(MetricsDigest.SUMMED))) {
      throw new IllegalStateException("LocalDigest sums other columns than MetricsDigest");
    }
  }

  private LocalDigest() {}

  public static MetricsDigest of(List<BatchMetrics> batches, String table) {
    Map<String, Object> totals = sums(batches, SUMMED.keySet().toArray(String[]::new));
    totals.put("first_start_millis", min(batches));
    totals.put("last_end_millis", max(batches));
    if (batches.isEmpty()) {
      return new MetricsDigest(
          table, totals, calibration(batches), List.of(), List.of(), "no batch", List.of());
    }
    long first = min(batches);
    long span = Math.max(1, max(batches) - first);
    long width = Math.max(1, (span + MetricsDigest.BINS - 1) / MetricsDigest.BINS);
    Map<Long, List<BatchMetrics>> byBin = new TreeMap<>();
    for (BatchMetrics b : batches) {
      byBin.computeIfAbsent((b.startMillis() - first) / width, k -> new ArrayList<>()).add(b);
    }
    List<Map<String, Object>> bins = new ArrayList<>();
    byBin.forEach(
        (bin, members) -> {
          Map<String, Object> row = sums(members, "frames", "errors", "ooms", "render_nanos");
          row.put("start_millis", first + bin * width);
          row.put("width_millis", width);
          bins.add(row);
        });
    Map<List<Object>, List<BatchMetrics>> byTask = new LinkedHashMap<>();
    for (BatchMetrics b : batches) {
      byTask
          .computeIfAbsent(
              List.of(b.executor(), b.host(), b.device(), b.partition(), b.attempt()),
              k -> new ArrayList<>())
          .add(b);
    }
    List<Map<String, Object>> tasks = new ArrayList<>();
    byTask.forEach(
        (key, members) -> {
          Map<String, Object> row = new LinkedHashMap<>();
          String[] names = {"executor", "host", "device", "partition", "attempt"};
          for (int i = 0; i < names.length; i++) {
            row.put(names[i], key.get(i));
          }
          row.putAll(sums(members, SUMMED.keySet().toArray(String[]::new)));
          row.put("first_start_millis", min(members));
          row.put("last_end_millis", max(members));
          row.put(
              "largest_batch",
              members.stream().mapToInt(BatchMetrics::actualBatch).max().orElse(0));
          tasks.add(row);
        });
    tasks.sort(
        Comparator.<Map<String, Object>>comparingLong(t -> (Long) t.get("first_start_millis"))
            .thenComparingInt(t -> (Integer) t.get("partition"))
            .thenComparingInt(t -> (Integer) t.get("attempt")));
    List<BatchMetrics> ordered = new ArrayList<>(batches);
    ordered.sort(
        Comparator.comparingLong(BatchMetrics::startMillis)
            .thenComparingInt(BatchMetrics::partition)
            .thenComparingLong(BatchMetrics::batchSeq));
    long stride = MetricsDigest.stride(batches.size());
    List<BatchMetrics> sample = new ArrayList<>();
    for (int i = 0; i < ordered.size() && sample.size() < MetricsDigest.SAMPLE; i += stride) {
      sample.add(ordered.get(i));
    }
    String note =
        sample.size() == batches.size()
            ? "all " + batches.size() + " batches"
            : "a sample of "
                + sample.size()
                + " of "
                + batches.size()
                + " batches (one in "
                + stride
                + "); every batch is in "
                + table;
    return new MetricsDigest(table, totals, calibration(batches), bins, tasks, note, sample);
  }

  /** As {@link MetricsDigest}: each task's plan per frame size counts once, by its first batch. */
  private static Map<String, Object> calibration(List<BatchMetrics> batches) {
    Map<List<Object>, BatchMetrics> firstOfPlan = new LinkedHashMap<>();
    for (BatchMetrics b : batches) {
      firstOfPlan.merge(
          List.of(b.executor(), b.partition(), b.attempt(), b.frameWidth(), b.frameHeight()),
          b,
          (x, y) -> x.batchSeq() <= y.batchSeq() ? x : y);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    long nanos = 0;
    for (String source : List.of("measured", "cached", "none")) {
      result.put(
          source + "_plans",
          firstOfPlan.values().stream().filter(b -> source.equals(b.calibrationSource())).count());
    }
    for (BatchMetrics b : firstOfPlan.values()) {
      nanos += b.calibrationNanos();
    }
    result.put("measuring_seconds", nanos / 1e9);
    return result;
  }

  private static Map<String, Object> sums(List<BatchMetrics> batches, String... columns) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("batches", (long) batches.size());
    for (String column : columns) {
      row.put(column, batches.stream().mapToLong(SUMMED.get(column)).sum());
    }
    return row;
  }

  private static long min(List<BatchMetrics> batches) {
    return batches.stream().mapToLong(BatchMetrics::startMillis).min().orElse(0);
  }

  private static long max(List<BatchMetrics> batches) {
    return batches.stream().mapToLong(BatchMetrics::endMillis).max().orElse(0);
  }
}
