package dev.facerender.output.digest;

import dev.facerender.job.MetricsDigest;
import dev.facerender.metrics.BatchMetrics;
import java.io.Serializable;
import java.util.List;
import java.util.function.Supplier;

/**
 * One run's rows of the metrics table, folded where they lie: by Spark's tasks over the files, or
 * in this JVM file by file. The digest is computed once, by {@link #digest}, over either.
 */
public interface BatchRows {
  /**
   * Every batch added to a part that {@code zero} starts (one per file or Spark partition, in no
   * set order), the parts merged into one. Parts are small: bounded by tasks, bins and the sample.
   */
  <P extends Part<P>> P fold(Zero<P> zero);

  /**
   * The digest of these rows, the run's rows of the metrics table stored at {@code table}: two
   * folds, the second once the first has given the span that the time bins divide.
   */
  default MetricsDigest digest(String table) {
    BatchSums all = fold(BatchSums::new);
    long batches = all.batches();
    if (batches == 0) {
      return new MetricsDigest(
          table,
          all.totals(),
          new DigestPass(0, 1).calibration(),
          List.of(),
          List.of(),
          "no batch",
          List.of());
    }
    long first = all.firstStart();
    long span = Math.max(1, all.lastEnd() - first);
    long width = Math.max(1, (span + MetricsDigest.BINS - 1) / MetricsDigest.BINS);
    DigestPass pass = fold(() -> new DigestPass(first, width));
    List<BatchMetrics> sample = pass.sample();
    String note =
        sample.size() == batches
            ? "all " + batches + " batches"
            : MetricsDigest.sampleOf(sample.size(), batches)
                + " (picked by a hash of each batch's identity); every batch is in "
                + table;
    return new MetricsDigest(
        table, all.totals(), pass.calibration(), pass.bins(), pass.tasks(), note, sample);
  }

  /** A partial figure over some batches; adding and merging in any order give the same figure. */
  interface Part<P> extends Serializable {
    void add(BatchMetrics batch);

    /** This part with {@code other}'s batches added; may change and return this. */
    P merge(P other);
  }

  /** Starts an empty part; serializable, to start parts in Spark's tasks. */
  interface Zero<P> extends Supplier<P>, Serializable {}
}
