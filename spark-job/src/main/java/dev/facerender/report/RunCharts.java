package dev.facerender.report;

import dev.facerender.metrics.BatchMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * The standard views of a run's batches, as PNG charts. Time is seconds since the first batch
 * started, on each executor's own clock. Lines and bars draw {@link RunFigures}, which count every
 * batch; marks of single batches draw the digest's sample, named after it in the legend.
 */
final class RunCharts {
  /** Beyond this many tasks, one line each would be unreadable: points instead. */
  static final int MAX_LINES = 8;

  private RunCharts() {}

  /**
   * Frames started per second by all tasks together, per time bin (zero where no batch started),
   * and each sampled batch's own rate ({@code sampled} names the sample: "a sample of 500 of 4800
   * batches").
   */
  public static byte[] throughputOverTime(
      List<RunFigures.Bin> bins, List<BatchMetrics> sample, long t0, String sampled) {
    List<double[]> line = new ArrayList<>();
    RunFigures.Bin previous = null;
    for (RunFigures.Bin bin : bins) {
      double width = bin.toSeconds() - bin.fromSeconds();
      if (previous != null && bin.fromSeconds() - previous.toSeconds() > width / 2) {
        line.add(new double[] {previous.toSeconds() + width / 2, 0});
        line.add(new double[] {bin.fromSeconds() - width / 2, 0});
      }
      line.add(new double[] {bin.fromSeconds() + width / 2, bin.framesPerSecond()});
      previous = bin;
    }
    Map<String, List<double[]>> lines = new LinkedHashMap<>();
    lines.put("all tasks", line);
    Map<String, List<double[]>> marks = new LinkedHashMap<>();
    marks.put(
        sampled,
        sample.stream()
            .map(b -> new double[] {seconds(b.endMillis(), t0), b.framesPerSecond()})
            .toList());
    return Charts.lineWithMarks(
        "Frames per second over time", "seconds since the first batch", "frames/s", lines, marks);
  }

  /** Batch size per task over time; OOMs and the halves they split into marked. */
  public static byte[] batchSizeOverTime(List<BatchMetrics> batches, long t0) {
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

  /** Decode, render and encode seconds of every batch, per partition or executor. */
  public static byte[] timeSplit(RunFigures.Split split) {
    List<String> names = new ArrayList<>();
    Map<String, List<Double>> values = new LinkedHashMap<>();
    values.put("decode", new ArrayList<>());
    values.put("render", new ArrayList<>());
    values.put("encode", new ArrayList<>());
    for (RunFigures.Group group : split.groups()) {
      names.add(group.name());
      values.get("decode").add(group.decodeNanos() / 1e9);
      values.get("render").add(group.renderNanos() / 1e9);
      values.get("encode").add(group.encodeNanos() / 1e9);
    }
    return Charts.bars("Where the time went", split.axis(), "seconds", names, values, true);
  }

  /** Each sampled batch's rate against its size, and the sample's median per size. */
  public static byte[] throughputBySize(List<BatchMetrics> batches, String sampled) {
    Map<Integer, List<Double>> bySize = new TreeMap<>();
    for (BatchMetrics b : batches) {
      bySize.computeIfAbsent(b.actualBatch(), k -> new ArrayList<>()).add(b.framesPerSecond());
    }
    List<double[]> medians = new ArrayList<>();
    bySize.forEach((size, rates) -> medians.add(new double[] {size, median(rates)}));
    Map<String, List<double[]>> marks = new LinkedHashMap<>();
    marks.put(
        sampled,
        batches.stream().map(b -> new double[] {b.actualBatch(), b.framesPerSecond()}).toList());
    return Charts.lineWithMarks(
        "Frames per second by batch size",
        "frames per batch",
        "frames/s",
        Map.of("median of " + sampled, medians),
        marks);
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
  static String sortKey(String name) {
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

  private static double seconds(long millis, long t0) {
    return (millis - t0) / 1000.0;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
