package dev.facerender.job;

import dev.facerender.metrics.BatchMetrics;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What metrics.json and the report say about a run's batches, folded over the metrics/ table
 * wherever its rows lie (output's {@code BatchRows}) so its size depends on time bins, tasks and
 * the sample, never on the number of batches: totals, frames per time bin, a summary per task
 * (executor, partition, attempt; a partition number recurs in each wave) and a labelled sample of
 * batches. One computation for both engines, so one run's metrics.json is the same bytes from
 * either.
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

  /** The per-batch columns whose sums the totals, time bins and task rows hold. */
  public static final List<String> SUMMED =
      List.of("frames", "errors", "ooms", "splits", "decode_nanos", "render_nanos", "encode_nanos");

  public MetricsDigest {
    // Kept in the order given: Map.copyOf's order changes from JVM to JVM, and so would the JSON.
    totals = Collections.unmodifiableMap(new LinkedHashMap<>(totals));
    calibration = Collections.unmodifiableMap(new LinkedHashMap<>(calibration));
    timeBins = List.copyOf(timeBins);
    tasks = List.copyOf(tasks);
    sample = List.copyOf(sample);
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

  /**
   * What the sample holds, short, for the report's marks and rows of single batches: "every batch"
   * for a run the sample holds whole, else the start of {@link #sampleNote}, "a sample of 500 of
   * 4800 batches".
   */
  public String sampleLabel() {
    if (!available()) {
      return "no batch figures";
    }
    return sample.size() == batches() ? "every batch" : sampleOf(sample.size(), batches());
  }

  /** "a sample of 500 of 4800 batches". */
  public static String sampleOf(long sampled, long batches) {
    return "a sample of " + sampled + " of " + batches + " batches";
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
}
