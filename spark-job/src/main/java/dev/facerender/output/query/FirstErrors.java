package dev.facerender.output.query;

import dev.facerender.metrics.FrameError;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The first error rows by clip and frame index, nulls first, then by stage, code and message, so
 * that rows of one key come out in the same order whichever engine read them. Holds at most twice
 * the limit: a run of bad input may reject millions.
 */
final class FirstErrors implements Fold<FirstErrors> {
  private static final long serialVersionUID = 1L;
  private static final Comparator<FrameError> ORDER =
      Comparator.comparing(FrameError::clipId, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing(FrameError::frameIndex, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing(FrameError::stage)
          .thenComparing(FrameError::code)
          .thenComparing(FrameError::message);

  private final int limit;
  private final ArrayList<FrameError> rows = new ArrayList<>();

  FirstErrors(int limit) {
    this.limit = limit;
  }

  @Override
  public void add(int read, Object[] values) {
    rows.add(
        new FrameError(
            (String) values[0],
            (String) values[1],
            (Integer) values[2],
            (String) values[3],
            (String) values[4],
            (String) values[5]));
    if (rows.size() >= 2 * Math.max(1, limit)) {
      settle();
    }
  }

  @Override
  public void settle() {
    rows.sort(ORDER);
    if (rows.size() > limit) {
      rows.subList(limit, rows.size()).clear();
    }
  }

  @Override
  public FirstErrors merge(FirstErrors other) {
    rows.addAll(other.rows);
    settle();
    return this;
  }

  List<FrameError> rows() {
    settle();
    return List.copyOf(rows);
  }
}
