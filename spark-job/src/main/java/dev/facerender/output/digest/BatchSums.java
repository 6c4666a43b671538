package dev.facerender.output.digest;

import dev.facerender.job.MetricsDigest;
import dev.facerender.metrics.BatchMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Batches counted and summed ({@link MetricsDigest#SUMMED}), with their first start, last end and
 * largest batch: the run's totals, one task's row or one time bin's.
 */
final class BatchSums implements BatchRows.Part<BatchSums> {
  private static final long serialVersionUID = 1L;

  private static final List<ToLongFunction<BatchMetrics>> VALUES =
      List.of(
          BatchMetrics::frames,
          BatchMetrics::errors,
          BatchMetrics::ooms,
          BatchMetrics::splits,
          BatchMetrics::decodeNanos,
          BatchMetrics::renderNanos,
          BatchMetrics::encodeNanos);

  private static final List<String> BIN_COLUMNS =
      List.of("frames", "errors", "ooms", "render_nanos");

  private long batches;
  private final long[] sums = new long[VALUES.size()];
  private long firstStart = Long.MAX_VALUE;
  private long lastEnd = Long.MIN_VALUE;
  private int largestBatch;

  @Override
  public void add(BatchMetrics b) {
    batches++;
    for (int i = 0; i < sums.length; i++) {
      sums[i] += VALUES.get(i).applyAsLong(b);
    }
    firstStart = Math.min(firstStart, b.startMillis());
    lastEnd = Math.max(lastEnd, b.endMillis());
    largestBatch = Math.max(largestBatch, b.actualBatch());
  }

  @Override
  public BatchSums merge(BatchSums other) {
    batches += other.batches;
    for (int i = 0; i < sums.length; i++) {
      sums[i] += other.sums[i];
    }
    firstStart = Math.min(firstStart, other.firstStart);
    lastEnd = Math.max(lastEnd, other.lastEnd);
    largestBatch = Math.max(largestBatch, other.largestBatch);
    return this;
  }

  long batches() {
    return batches;
  }

  /** The first start, 0 for no batch (as metrics.json has always said). */
  long firstStart() {
    return batches == 0 ? 0 : firstStart;
  }

  long lastEnd() {
    return batches == 0 ? 0 : lastEnd;
  }

  /** batches, each summed column, first_start_millis, last_end_millis. */
  Map<String, Object> totals() {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("batches", batches);
    for (int i = 0; i < sums.length; i++) {
      row.put(MetricsDigest.SUMMED.get(i), sums[i]);
    }
    row.put("first_start_millis", firstStart());
    row.put("last_end_millis", lastEnd());
    return row;
  }

  /** A task's row: its key (executor, host, device, partition, attempt), totals, largest batch. */
  Map<String, Object> task(List<Object> key) {
    Map<String, Object> row = new LinkedHashMap<>();
    List<String> names = List.of("executor", "host", "device", "partition", "attempt");
    for (int i = 0; i < names.size(); i++) {
      row.put(names.get(i), key.get(i));
    }
    row.putAll(totals());
    row.put("largest_batch", largestBatch);
    return row;
  }

  /** A time bin's row: batches, the figures the charts plot, where the bin starts, its width. */
  Map<String, Object> bin(long startMillis, long widthMillis) {
    Map<String, Object> all = totals();
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("batches", batches);
    for (String column : BIN_COLUMNS) {
      row.put(column, all.get(column));
    }
    row.put("start_millis", startMillis);
    row.put("width_millis", widthMillis);
    return row;
  }
}
