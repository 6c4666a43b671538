package dev.facerender.output.query;

import java.io.Serializable;
import java.util.function.Supplier;

/**
 * A partial answer over some rows of a run's tables. Parts start empty, take rows, settle and merge
 * in any order to the same answer: that is what lets Spark fold them in its tasks and the local
 * engine fold them in one pass.
 */
public interface Fold<P extends Fold<P>> extends Serializable {
  /** Adds a row of read number {@code read} (its index in the scan's reads): its column values. */
  void add(int read, Object[] values);

  /**
   * Called once a part has all its rows, before it is merged: a fold grouped by clip reduces its
   * groups to totals here, so that only totals travel.
   */
  default void settle() {}

  /** This part with {@code other}'s rows added (both settled); may change and return this. */
  P merge(P other);

  /** Starts an empty part; serializable, to start parts in Spark's tasks. */
  interface Zero<P> extends Supplier<P>, Serializable {}
}
