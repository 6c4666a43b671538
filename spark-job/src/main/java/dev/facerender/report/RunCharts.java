package dev.facerender.report;

import dev.facerender.metrics.BatchMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * The standard views of a run's batches, as PNG charts. Time is seconds since the first batch
 * started, on each executor's own clock.
 */
public final class RunCharts {
  /** Beyond this many tasks, one line each would be unreadable: points instead. */
  static final int MAX_LINES = 8;

  /** Beyond this many partitions, the time split is shown per executor. */
  static final int MAX_BARS = 32;

  private static final long MIN_BIN_MILLIS = 100;
  private static final int MAX_BINS = 60;

  private RunCharts() {}

  /** Frames finished per second by all tasks together, and each batch's own rate. */
  public static byte[] throughputOverTime(List<BatchMetrics> batches) {
    long t0 = start(batches);
    Map<String, List<double[]>> lines = new LinkedHashMap<>();
    lines.put("all tasks", throughputBins(batches));
    Map<String, List<double[]>> marks = new LinkedHashMap<>();
    marks.put(
        "one batch",
        batches.stream()
            .map(b -> new double[] {seconds(b.endMillis(), t0), b.framesPerSecond()})
            .toList());
    return Charts.lineWithMarks(
        "Frames per second over time", "seconds since the first batch", "frames/s", lines, marks);
  }

  /** Batch size per task over time; OOMs and the halves they split into marked. */
  public static byte[] batchSizeOverTime(List<BatchMetrics> batches) {
    long t0 = start(batches);
    Map<String, List<BatchMetrics>> byTask = byTask(batches);
    Map<String, List<double[]>> lines = new LinkedHashMap<>();
    Map<String, List<double[]>> marks = new LinkedHashMap<>();
    if (byTask.size() <= MAX_LINES) {
      byTask.forEach((task, list) -> lines.put(task, points(list, t0, BatchMetrics::actualBatch)));
    } else {
      marks.put("batch size", points(batches, t0, BatchMetrics::actualBatch));
    }
    List<BatchMetrics> capped =
        batches.stream().filter(b -> b.ceiling() < b.plannedBatch()).toList();
    marks.put("ceiling below plan", points(capped, t0, BatchMetrics::ceiling));
    marks.put(
        "OOM",
        points(batches.stream().filter(b -> b.ooms() > 0).toList(), t0, BatchMetrics::actualBatch));
    marks.put(
        "split (half size)",
        batches.stream()
            .filter(b -> b.splits() > 0)
            .map(b -> new double[] {seconds(b.startMillis(), t0), b.actualBatch() / 2.0})
            .toList());
    return Charts.lineWithMarks(
        "Batch size over time", "seconds since the first batch", "frames per batch", lines, marks);
  }

  /** Decode, render and encode seconds, per partition (or per executor on big runs). */
  public static byte[] timeSplit(List<BatchMetrics> batches) {
    long partitions = batches.stream().map(RunCharts::task).distinct().count();
    Function<BatchMetrics, String> group =
        partitions <= MAX_BARS ? RunCharts::task : BatchMetrics::executor;
    Map<String, List<BatchMetrics>> groups =
        new TreeMap<>(Comparator.comparing(RunCharts::sortKey));
    for (BatchMetrics b : batches) {
      groups.computeIfAbsent(group.apply(b), k -> new ArrayList<>()).add(b);
    }
    Map<String, List<Double>> values = new LinkedHashMap<>();
    values.put("decode", sums(groups, BatchMetrics::decodeNanos));
    values.put("render", sums(groups, BatchMetrics::renderNanos));
    values.put("encode", sums(groups, BatchMetrics::encodeNanos));
    return Charts.bars(
        "Where the time went",
        partitions <= MAX_BARS ? "partition" : "executor",
        "seconds",
        new ArrayList<>(groups.keySet()),
        values,
        true);
  }

  /** Each batch's rate against its size, and the median per size. */
  public static byte[] throughputBySize(List<BatchMetrics> batches) {
    Map<Integer, List<Double>> bySize = new TreeMap<>();
    for (BatchMetrics b : batches) {
      bySize.computeIfAbsent(b.actualBatch(), k -> new ArrayList<>()).add(b.framesPerSecond());
    }
    List<double[]> medians = new ArrayList<>();
    bySize.forEach((size, rates) -> medians.add(new double[] {size, median(rates)}));
    Map<String, List<double[]>> marks = new LinkedHashMap<>();
    marks.put(
        "one batch",
        batches.stream().map(b -> new double[] {b.actualBatch(), b.framesPerSecond()}).toList());
    return Charts.lineWithMarks(
        "Frames per second by batch size",
        "frames per batch",
        "frames/s",
        Map.of("median", medians),
        marks);
  }

  /**
   * Frames finished per second over the run, in bins of at least 100 ms: each batch's frames are
   * spread evenly over its own start..end, so the area under the curve is the frame count.
   */
  static List<double[]> throughputBins(List<BatchMetrics> batches) {
    if (batches.isEmpty()) {
      return List.of();
    }
    long t0 = start(batches);
    long t1 = batches.stream().mapToLong(BatchMetrics::endMillis).max().orElseThrow();
    long span = Math.max(1, t1 - t0);
    int bins = (int) Math.max(1, Math.min(MAX_BINS, span / MIN_BIN_MILLIS));
    double width = span / (double) bins;
    double[] frames = new double[bins];
    for (BatchMetrics b : batches) {
      double from = b.startMillis() - t0;
      double to = b.endMillis() - t0;
      if (to <= from) {
        // Finished within the clock's resolution: all its frames count in its bin.
        frames[bin(from, width, bins)] += b.frames();
        continue;
      }
      for (int i = bin(from, width, bins); i <= bin(to, width, bins); i++) {
        double overlap = Math.min(to, (i + 1) * width) - Math.max(from, i * width);
        if (overlap > 0) {
          frames[i] += b.frames() * overlap / (to - from);
        }
      }
    }
    List<double[]> points = new ArrayList<>();
    for (int i = 0; i < bins; i++) {
      points.add(new double[] {(i + 0.5) * width / 1000, frames[i] / (width / 1000)});
    }
    return points;
  }

  private static int bin(double millis, double width, int bins) {
    return (int) Math.min(bins - 1, Math.max(0, Math.floor(millis / width)));
  }

  private static Map<String, List<BatchMetrics>> byTask(List<BatchMetrics> batches) {
    Map<String, List<BatchMetrics>> byTask =
        new TreeMap<>(Comparator.comparing(RunCharts::sortKey));
    for (BatchMetrics b : batches) {
      byTask.computeIfAbsent("partition " + task(b), k -> new ArrayList<>()).add(b);
    }
    byTask.values().forEach(l -> l.sort(Comparator.comparingLong(BatchMetrics::startMillis)));
    return byTask;
  }

  /** The partition, with the attempt when a task was retried. */
  private static String task(BatchMetrics b) {
    return b.attempt() == 0 ? Integer.toString(b.partition()) : b.partition() + "." + b.attempt();
  }

  /** Numbers inside names sort as numbers: partition 2 before partition 10. */
  private static String sortKey(String name) {
    StringBuilder key = new StringBuilder();
    for (String part : name.split("(?<=\\D)(?=\\d)|(?<=\\d)(?=\\D)")) {
      key.append(
          part.chars().allMatch(Character::isDigit)
              ? String.format("%012d", Long.parseLong(part))
              : part);
    }
    return key.toString();
  }

  private static List<double[]> points(
      List<BatchMetrics> batches, long t0, ToIntFunction<BatchMetrics> y) {
    return batches.stream()
        .map(b -> new double[] {seconds(b.startMillis(), t0), y.applyAsInt(b)})
        .toList();
  }

  private static List<Double> sums(
      Map<String, List<BatchMetrics>> groups, ToLongFunction<BatchMetrics> nanos) {
    return groups.values().stream()
        .map(list -> list.stream().mapToLong(nanos).sum() / 1e9)
        .toList();
  }

  private static long start(List<BatchMetrics> batches) {
    return batches.stream().mapToLong(BatchMetrics::startMillis).min().orElse(0);
  }

  private static double seconds(long millis, long t0) {
    return (millis - t0) / 1000.0;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
