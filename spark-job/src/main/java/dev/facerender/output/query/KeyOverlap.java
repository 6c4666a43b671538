package dev.facerender.output.query;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/** The two folds of {@link RunTables#overlap}: the staged keys, then those the table has. */
final class KeyOverlap {
  private KeyOverlap() {}

  /** A (clip_id, frame_index) key that may hold nulls. */
  private static List<Object> key(Object[] values) {
    List<Object> key = new ArrayList<>(2);
    key.add(values[0]);
    key.add(values[1]);
    return key;
  }

  /** Staged rows per key (a key staged twice counts twice, as rows do). */
  static final class Staged implements Fold<Staged> {
    private static final long serialVersionUID = 1L;
    private final HashMap<List<Object>, Long> rows = new HashMap<>();

    @Override
    public void add(int read, Object[] values) {
      rows.merge(key(values), 1L, Long::sum);
    }

    @Override
    public Staged merge(Staged other) {
      other.rows.forEach((k, n) -> rows.merge(k, n, Long::sum));
      return this;
    }

    boolean isEmpty() {
      return rows.isEmpty();
    }

    Map<List<Object>, Long> rows() {
      return rows;
    }
  }

  /** The staged keys seen in the existing table; holds no more than the staged side. */
  static final class Found implements Fold<Found> {
    private static final long serialVersionUID = 1L;
    // Shipped to each task with its zero; not sent back with the part.
    private final transient Map<List<Object>, Long> staged;
    private final HashSet<List<Object>> seen = new HashSet<>();

    Found(Map<List<Object>, Long> staged) {
      this.staged = staged;
    }

    @Override
    public void add(int read, Object[] values) {
      List<Object> key = key(values);
      if (staged.containsKey(key)) {
        seen.add(key);
      }
    }

    @Override
    public Found merge(Found other) {
      seen.addAll(other.seen);
      return this;
    }

    /** The staged rows whose key was seen. */
    long rowsOf(Map<List<Object>, Long> stagedRows) {
      long rows = 0;
      for (List<Object> key : seen) {
        rows += stagedRows.get(key);
      }
      return rows;
    }
  }
}
