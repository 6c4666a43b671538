package dev.facerender.output;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;

import dev.facerender.io.Schemas;
import dev.facerender.io.TableRows;
import dev.facerender.metrics.BatchMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What metrics.json and the report say about a run's batches, aggregated by Spark over the metrics/
 * table so its size depends on time bins, tasks and the sample, never on the number of batches:
 * totals, frames per time bin, a summary per task (executor, partition, attempt; a partition number
 * recurs in each wave) and a labelled sample of batches.
 */
public record MetricsDigest(
    String table,
    Map<String, Object> totals,
    Map<String, Object> calibration,
    List<Map<String, Object>> timeBins,
    List<Map<String, Object>> tasks,
    String sampleNote,
    List<BatchMetrics> sample) {
  /** Batches the sample holds at most. */
  public static final int SAMPLE = 500;

  /** Time bins over the render at most. */
  public static final int BINS = 100;

  public static final String[] SUMMED = {
    "frames", "errors", "ooms", "splits", "decode_nanos", "render_nanos", "encode_nanos"
  };

  public MetricsDigest {
    totals = Map.copyOf(totals);
    calibration = Map.copyOf(calibration);
    timeBins = List.copyOf(timeBins);
    tasks = List.copyOf(tasks);
    sample = List.copyOf(sample);
  }

  /** Aggregates {@code metrics} (rows of {@link Schemas#METRICS}) stored at {@code table}. */
  public static MetricsDigest of(Dataset<Row> metrics, String table) {
    List<Column> sums = new ArrayList<>();
    sums.add(count(lit(1)).as("batches"));
    for (String c : SUMMED) {
      sums.add(sum(col(c)).as(c));
    }
    sums.add(min(col("start_millis")).as("first_start_millis"));
    sums.add(max(col("end_millis")).as("last_end_millis"));
    Map<String, Object> totals =
        map(metrics.agg(sums.get(0), sums.subList(1, sums.size()).toArray(Column[]::new)).first());
    long batches = (Long) totals.get("batches");
    if (batches == 0) {
      return new MetricsDigest(
          table, totals, calibration(metrics), List.of(), List.of(), "no batch", List.of());
    }
    long first = (Long) totals.get("first_start_millis");
    long span = Math.max(1, (Long) totals.get("last_end_millis") - first);
    long width = Math.max(1, (span + BINS - 1) / BINS);
    List<Map<String, Object>> bins = new ArrayList<>();
    for (Row r :
        metrics
            .withColumn("bin", floor(col("start_millis").minus(first).divide(width)))
            .groupBy("bin")
            .agg(count(lit(1)).as("batches"), sumsOf("frames", "errors", "ooms", "render_nanos"))
            .collectAsList()) {
      Map<String, Object> bin = map(r);
      bin.put("start_millis", first + (Long) bin.remove("bin") * width);
      bin.put("width_millis", width);
      bins.add(bin);
    }
    // Sorted here, not by Spark: a global sort costs a sampling job; there are at most BINS rows.
    bins.sort(Comparator.comparingLong(b -> (Long) b.get("start_millis")));
    List<Map<String, Object>> tasks = new ArrayList<>();
    for (Row r :
        metrics
            .groupBy("executor", "host", "device", "partition", "attempt")
            .agg(
                count(lit(1)).as("batches"),
                concat(
                    sumsOf(SUMMED),
                    min(col("start_millis")).as("first_start_millis"),
                    max(col("end_millis")).as("last_end_millis"),
                    max(col("actual_batch")).as("largest_batch")))
            .collectAsList()) {
      tasks.add(map(r));
    }
    tasks.sort(
        Comparator.<Map<String, Object>>comparingLong(t -> (Long) t.get("first_start_millis"))
            .thenComparingInt(t -> (Integer) t.get("partition"))
            .thenComparingInt(t -> (Integer) t.get("attempt")));
    long stride = stride(batches);
    List<BatchMetrics> sample =
        metrics
            .where(
                pmod(
                        xxhash64(
                            col("executor"), col("partition"), col("attempt"), col("batch_seq")),
                        lit(stride))
                    .equalTo(0))
            .orderBy("start_millis", "partition", "batch_seq")
            .limit(SAMPLE)
            .collectAsList()
            .stream()
            .map(TableRows::metrics)
            .toList();
    String note =
        sample.size() == batches
            ? "all " + batches + " batches"
            : "a sample of "
                + sample.size()
                + " of "
                + batches
                + " batches (about one in "
                + stride
                + "); every batch is in "
                + table;
    return new MetricsDigest(table, totals, calibration(metrics), bins, tasks, note, sample);
  }

  /**
   * A digest with no figures, for a run whose digest failed: {@link #available()} is false, and the
   * note says why and where the batches are.
   */
  public static MetricsDigest unavailable(String table, String reason) {
    return new MetricsDigest(
        table,
        Map.of(),
        Map.of(),
        List.of(),
        List.of(),
        "no batch figures (the metrics digest failed: " + reason + "); every batch is in " + table,
        List.of());
  }

  /** One batch in this many goes into the sample of a run of {@code batches} (1: all of them). */
  public static long stride(long batches) {
    return Math.max(1, (batches + SAMPLE - 1) / SAMPLE);
  }

  /** One batch in this many is in {@link #sample}. */
  public long sampleStride() {
    return stride(batches());
  }

  /** Whether the figures were computed (false for {@link #unavailable}). */
  public boolean available() {
    return totals.containsKey("batches");
  }

  public long batches() {
    return total("batches");
  }

  public long total(String column) {
    Object value = totals.get(column);
    return value == null ? 0 : ((Number) value).longValue();
  }

  /**
   * How each task's plans were calibrated: plans measured in this run (and what that cost), plans
   * taken from the calibration cache or an earlier task of the executor, fixed batches.
   */
  private static Map<String, Object> calibration(Dataset<Row> metrics) {
    Dataset<Row> plans =
        metrics
            .groupBy("executor", "partition", "attempt", "frame_width", "frame_height")
            .agg(
                min_by(col("calibration_source"), col("batch_seq")).as("source"),
                min_by(col("calibration_nanos"), col("batch_seq")).as("nanos"));
    Map<String, Long> bySource = new LinkedHashMap<>();
    long nanos = 0;
    for (Row r : plans.groupBy("source").agg(count(lit(1)), sum(col("nanos"))).collectAsList()) {
      bySource.put(r.getString(0), r.getLong(1));
      nanos += r.isNullAt(2) ? 0 : r.getLong(2);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    for (String source : List.of("measured", "cached", "none")) {
      result.put(source + "_plans", bySource.getOrDefault(source, 0L));
    }
    result.put("measuring_seconds", nanos / 1e9);
    return result;
  }

  private static Column[] sumsOf(String... columns) {
    Column[] sums = new Column[columns.length];
    for (int i = 0; i < columns.length; i++) {
      sums[i] = sum(col(columns[i])).as(columns[i]);
    }
    return sums;
  }

  private static Column[] concat(Column[] head, Column... tail) {
    Column[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }

  private static Map<String, Object> map(Row r) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String name : r.schema().fieldNames()) {
      Object value = r.getAs(name);
      m.put(name, value == null ? 0L : value);
    }
    return m;
  }
}
