package dev.facerender.output;

import dev.facerender.metrics.BatchMetrics;
import java.io.Serializable;
import java.util.function.Supplier;

/**
 * One run's rows of the metrics table, folded where they lie: by Spark's tasks over the files, or
 * in this JVM file by file. The digest is computed once, by {@link MetricsDigest#of}, over either.
 */
public interface BatchRows {
  /**
   * Every batch added to a part that {@code zero} starts (one per file or Spark partition, in no
   * set order), the parts merged into one. Parts are small: bounded by tasks, bins and the sample.
   */
  <P extends Part<P>> P fold(Zero<P> zero);

  /** A partial figure over some batches; adding and merging in any order give the same figure. */
  interface Part<P> extends Serializable {
    void add(BatchMetrics batch);

    /** This part with {@code other}'s batches added; may change and return this. */
    P merge(P other);
  }

  /** Starts an empty part; serializable, to start parts in Spark's tasks. */
  interface Zero<P> extends Supplier<P>, Serializable {}
}
