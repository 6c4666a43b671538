package dev.facerender.report;

import dev.facerender.job.MetricsDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The report's aggregates, from the digest's time bins and task rows: they count every batch, where
 * the digest's sample holds only 500 of a big run's batches (those whose identity hashes lowest)
 * and would understate any sum. Seconds are since the first batch started.
 */
final class RunFigures {
  /** Beyond this many partitions, the time split is shown per executor. */
  static final int MAX_BARS = 32;

  /** Batches that started from {@code fromSeconds} to {@code toSeconds}, and their frames. */
  record Bin(double fromSeconds, double toSeconds, long batches, long frames) {
    double framesPerSecond() {
      return frames / (toSeconds - fromSeconds);
    }
  }

  /** Every batch of a partition (or an executor): their frames and seconds per stage. */
  record Group(
      String name,
      long batches,
      long frames,
      long decodeNanos,
      long renderNanos,
      long encodeNanos) {
    /** Frames per second of model time alone. */
    double renderOnlyFramesPerSecond() {
      return frames * 1e9 / Math.max(1, renderNanos);
    }
  }

  /** The groups of the time split, and what they are ("partition" or "executor"). */
  record Split(String axis, List<Group> groups) {}

  private RunFigures() {}

  /** When the first batch started, in milliseconds of its executor's clock. */
  static long start(MetricsDigest digest) {
    return digest.total("first_start_millis");
  }

  /** From the first batch's start to the last one's end. */
  static double spanSeconds(MetricsDigest digest) {
    return Math.max(1, digest.total("last_end_millis") - start(digest)) / 1000.0;
  }

  /** The digest's time bins that hold batches, in time order. */
  static List<Bin> bins(MetricsDigest digest) {
    long t0 = start(digest);
    List<Bin> bins = new ArrayList<>();
    for (Map<String, Object> bin : digest.timeBins()) {
      double from = (number(bin, "start_millis") - t0) / 1000.0;
      bins.add(
          new Bin(
              from,
              from + number(bin, "width_millis") / 1000.0,
              number(bin, "batches"),
              number(bin, "frames")));
    }
    return bins;
  }

  /**
   * The task rows summed per partition (with the attempt when a task was retried; a partition
   * number recurs in each wave), or per executor beyond {@link #MAX_BARS} partitions.
   */
  static Split timeSplit(MetricsDigest digest) {
    long partitions = digest.tasks().stream().map(RunFigures::task).distinct().count();
    boolean byPartition = partitions <= MAX_BARS;
    Map<String, long[]> sums = new TreeMap<>(Comparator.comparing(RunCharts::sortKey));
    for (Map<String, Object> task : digest.tasks()) {
      String name = byPartition ? task(task) : String.valueOf(task.get("executor"));
      long[] sum = sums.computeIfAbsent(name, k -> new long[5]);
      sum[0] += number(task, "batches");
      sum[1] += number(task, "frames");
      sum[2] += number(task, "decode_nanos");
      sum[3] += number(task, "render_nanos");
      sum[4] += number(task, "encode_nanos");
    }
    List<Group> groups = new ArrayList<>();
    sums.forEach((name, s) -> groups.add(new Group(name, s[0], s[1], s[2], s[3], s[4])));
    return new Split(byPartition ? "partition" : "executor", groups);
  }

  /** The partition, with the attempt when a task was retried. */
  static String task(Map<String, Object> task) {
    long partition = number(task, "partition");
    long attempt = number(task, "attempt");
    return attempt == 0 ? Long.toString(partition) : partition + "." + attempt;
  }

  private static long number(Map<String, Object> row, String column) {
    Object value = row.get(column);
    return value == null ? 0 : ((Number) value).longValue();
  }
}
