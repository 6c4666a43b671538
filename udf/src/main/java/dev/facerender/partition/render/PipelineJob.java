package dev.facerender.partition.render;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One batch of a {@link RenderPipeline}: its work, the release of what it holds, and the report of
 * a failure nobody took, each at most once. The release runs right after the work ends, normally or
 * not, or when the batch is dropped before it started.
 */
final class PipelineJob<T, R> extends FutureTask<R> {
  private final T item;
  private final Consumer<T> release;
  private final BooleanSupplier pipelineClosed;
  private final Consumer<Throwable> uncollectedFailure;
  private final AtomicBoolean released = new AtomicBoolean();
  private final AtomicBoolean taken = new AtomicBoolean();
  private final AtomicBoolean reported = new AtomicBoolean();

  /**
   * {@code item} rendered by {@code work}, freed by {@code release}; once {@code pipelineClosed}
   * holds, a failure nobody takes goes to {@code uncollectedFailure} as soon as it happens.
   */
  PipelineJob(
      T item,
      Function<T, R> work,
      Consumer<T> release,
      BooleanSupplier pipelineClosed,
      Consumer<Throwable> uncollectedFailure) {
    super(() -> work.apply(item));
    this.item = item;
    this.release = release;
    this.pipelineClosed = pipelineClosed;
    this.uncollectedFailure = uncollectedFailure;
  }

  T item() {
    return item;
  }

  /** The task thread took this batch's result or failure: nothing is left to report. */
  void markTaken() {
    taken.set(true);
  }

  @Override
  public void run() {
    try {
      super.run();
    } finally {
      releaseOnce();
    }
  }

  /** Drops a batch that never started: cancelled and released. */
  void drop() {
    cancel(false);
    releaseOnce();
  }

  private void releaseOnce() {
    if (released.compareAndSet(false, true)) {
      release.accept(item);
    }
  }

  @Override
  protected void done() {
    if (pipelineClosed.getAsBoolean()) {
      reportIfFailed();
    }
  }

  /** Reports the failure of a finished batch that was never taken; once. */
  void reportIfFailed() {
    if (taken.get() || !isDone() || isCancelled() || !reported.compareAndSet(false, true)) {
      return;
    }
    try {
      get();
    } catch (ExecutionException e) {
      uncollectedFailure.accept(e.getCause());
    } catch (InterruptedException | CancellationException e) {
      // Done and not cancelled: get() neither waits nor throws these.
    }
  }
}
