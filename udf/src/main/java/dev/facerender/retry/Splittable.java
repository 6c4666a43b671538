package dev.facerender.retry;

import java.util.List;

/**
 * Work that can be cut in two. {@link #split} takes ownership: after it returns, this object is
 * closed and the halves own everything it held. {@code close} is idempotent.
 */
public interface Splittable<T extends Splittable<T>> extends AutoCloseable {
  int size();

  /** Two non-empty halves in order (first half first); closes this object. */
  List<T> split();

  @Override
  void close();
}
