package dev.facerender.output.digest;

import dev.facerender.job.MetricsDigest;
import dev.facerender.metrics.BatchMetrics;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The {@link MetricsDigest#SAMPLE} batches whose identity hashes lowest: the same batches however
 * the rows are split or ordered (a stride over rows in reading order was not), spread over the run
 * as a random sample is, and never more than the sample's worth held.
 */
final class BatchSample implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Time order, every field breaking ties so equal orders mean equal rows. */
  static final Comparator<BatchMetrics> TIME =
      Comparator.comparingLong(BatchMetrics::startMillis)
          .thenComparingInt(BatchMetrics::partition)
          .thenComparingLong(BatchMetrics::batchSeq)
          .thenComparing(BatchMetrics::executor)
          .thenComparingInt(BatchMetrics::attempt)
          .thenComparing(BatchMetrics::toString);

  /** The batches kept, the last to keep at the head. */
  private final PriorityQueue<BatchMetrics> kept =
      new PriorityQueue<>(MetricsDigest.SAMPLE + 1, Collections.reverseOrder(new Pick()));

  void add(BatchMetrics b) {
    kept.add(b);
    if (kept.size() > MetricsDigest.SAMPLE) {
      kept.poll();
    }
  }

  BatchSample merge(BatchSample other) {
    other.kept.forEach(this::add);
    return this;
  }

  /** The sample in time order. */
  List<BatchMetrics> inTimeOrder() {
    List<BatchMetrics> sample = new ArrayList<>(kept);
    sample.sort(TIME);
    return sample;
  }

  /**
   * A 64-bit hash of what names a batch (executor, partition, attempt, sequence, start), mixed by
   * SplitMix64's finalizer: fixed here, not a JVM's or Spark's hash, so both engines agree.
   */
  static long hash(BatchMetrics b) {
    long h = 0x9E3779B97F4A7C15L;
    for (byte c : b.executor().getBytes(StandardCharsets.UTF_8)) {
      h = mix(h ^ c);
    }
    h = mix(h ^ b.partition());
    h = mix(h ^ b.attempt());
    h = mix(h ^ b.batchSeq());
    return mix(h ^ b.startMillis());
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Which batch the sample keeps first: lowest hash, then time order. Serializable for Spark. */
  private static final class Pick implements Comparator<BatchMetrics>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(BatchMetrics a, BatchMetrics b) {
      int byHash = Long.compare(hash(a), hash(b));
      return byHash != 0 ? byHash : TIME.compare(a, b);
    }
  }
}
