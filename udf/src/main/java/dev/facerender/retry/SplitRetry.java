package dev.facerender.retry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * Runs work that may run out of device memory: on an OOM anywhere in the cause chain the failing
 * piece is split in halves and each half retried, so what finished is kept and results come back in
 * input order. A piece of one item that still fails becomes a result through {@code onUnsplittable}
 * instead of failing the whole.
 *
 * <p>Contract: {@code work} must be idempotent for a piece (it may run again on the halves of a
 * piece it failed). A one-item piece is retried {@code singleRetries} more times before it gives up
 * (OOMs are often transient when other work shares the device). Every piece, the input included, is
 * closed once. Earlier OOMs are kept as suppressed exceptions of the error that finally escapes or
 * reaches {@code onUnsplittable}.
 */
public final class SplitRetry<T extends Splittable<T>, R> {
  /** What happened while running one input. */
  public interface Listener {
    /** Called after each OOM, before the split or the give-up, with the failing piece's size. */
    default void onOutOfMemory(int size, RuntimeException error) {}

    /** Called when a piece of {@code size} items succeeded. */
    default void onSuccess(int size) {}
  }

  private final Function<T, R> work;
  private final Unsplittable<T, R> onUnsplittable;
  private final int singleRetries;

  /** Turns a single-item piece that ran out of memory into a result. */
  @FunctionalInterface
  public interface Unsplittable<T, R> {
    R apply(T piece, RuntimeException error);
  }

  public SplitRetry(Function<T, R> work, Unsplittable<T, R> onUnsplittable, int singleRetries) {
    if (singleRetries < 0) {
      throw new IllegalArgumentException("singleRetries must be >= 0, got " + singleRetries);
    }
    this.work = work;
    this.onUnsplittable = onUnsplittable;
    this.singleRetries = singleRetries;
  }

  /** Runs {@code input} (taking ownership of it) and returns one result per piece, in order. */
  public List<R> run(T input, Listener listener) {
    List<R> results = new ArrayList<>();
    Deque<T> pending = new ArrayDeque<>();
    pending.push(input);
    List<RuntimeException> failures = new ArrayList<>();
    int singleFailures = 0;
    try {
      while (!pending.isEmpty()) {
        T piece = pending.pop();
        try {
          R result;
          try {
            result = work.apply(piece);
          } catch (RuntimeException e) {
            if (!OutOfMemoryErrors.isOutOfMemory(e)) {
              failures.forEach(e::addSuppressed);
              throw e;
            }
            listener.onOutOfMemory(piece.size(), e);
            if (piece.size() > 1) {
              failures.add(e);
              List<T> halves = piece.split();
              for (int i = halves.size() - 1; i >= 0; i--) {
                pending.push(halves.get(i));
              }
              continue;
            }
            if (singleFailures++ < singleRetries) {
              failures.add(e);
              pending.push(piece);
              continue;
            }
            failures.forEach(e::addSuppressed);
            // The given-up frame carries its own history; later errors start afresh.
            failures.clear();
            singleFailures = 0;
            results.add(onUnsplittable.apply(piece, e));
            piece.close();
            continue;
          }
          listener.onSuccess(piece.size());
          singleFailures = 0;
          results.add(result);
          piece.close();
        } catch (RuntimeException | Error e) {
          piece.close();
          throw e;
        }
      }
      return results;
    } finally {
      pending.forEach(Splittable::close);
    }
  }
}
