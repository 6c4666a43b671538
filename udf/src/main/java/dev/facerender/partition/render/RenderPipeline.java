package dev.facerender.partition.render;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task's render stage: one render thread and the batches in flight on it, oldest first. The task
 * thread submits batches and takes results in submission order; with depth 0 batches run on the
 * task thread at submission.
 *
 * <p>Lifetime contract (each batch a {@link PipelineJob}):
 *
 * <ul>
 *   <li>Every submitted item is released exactly once: by the render thread right after its work
 *       ends (normally or not), or by {@link #close} when it is dropped before it started.
 *   <li>{@link #close} never frees what a running batch can touch. It drops the queued batches
 *       (releasing them), interrupts the render thread and waits a bounded time. The {@code
 *       afterLast} action it is given (the task's own resources: its clips, its device lease) runs
 *       once no batch can run any more: on the closing thread when the stage is already idle,
 *       otherwise on the render thread when its running batch ends, even if the closing thread was
 *       interrupted or timed out waiting.
 *   <li>A batch that failed and was never taken is logged, not lost.
 *   <li>{@code close} is idempotent; {@link #submit} after it throws.
 * </ul>
 */
public final class RenderPipeline<T, R> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RenderPipeline.class);

  /** A taken batch: the item submitted and what its work returned. */
  public record Done<T, R>(T item, R result) {}

  private final Function<T, R> work;
  private final Consumer<T> release;
  private final long closeWaitMillis;
  private final Consumer<Throwable> uncollectedFailure;
  private final Stage stage;
  private final ArrayDeque<PipelineJob<T, R>> inFlight = new ArrayDeque<>();
  private final AtomicReference<Runnable> afterLast = new AtomicReference<>();
  private volatile boolean closed;

  /**
   * {@code work} runs each item on the render thread (or inline at depth 0); {@code release} frees
   * what an item holds and runs once per item. {@code closeWaitMillis} bounds how long {@link
   * #close} waits for a running batch.
   */
  public RenderPipeline(
      int depth,
      String threadName,
      Function<T, R> work,
      Consumer<T> release,
      long closeWaitMillis) {
    this(
        depth,
        threadName,
        work,
        release,
        closeWaitMillis,
        failure -> LOG.warn("A batch failed after its task stopped: {}", failure, failure));
  }

  /** As above; {@code uncollectedFailure} gets the failure of each batch never taken. */
  RenderPipeline(
      int depth,
      String threadName,
      Function<T, R> work,
      Consumer<T> release,
      long closeWaitMillis,
      Consumer<Throwable> uncollectedFailure) {
    if (depth < 0) {
      throw new IllegalArgumentException("pipeline depth must be >= 0, got " + depth);
    }
    this.work = work;
    this.release = release;
    this.closeWaitMillis = closeWaitMillis;
    this.uncollectedFailure = uncollectedFailure;
    this.stage = depth == 0 ? null : new Stage(threadName);
  }

  /** Hands {@code item} to the render stage (at depth 0: renders it now, on this thread). */
  public void submit(T item) {
    if (closed) {
      throw new IllegalStateException("render pipeline is closed");
    }
    PipelineJob<T, R> job =
        new PipelineJob<>(item, work, release, () -> closed, uncollectedFailure);
    inFlight.add(job);
    if (stage == null) {
      job.run();
    } else {
      stage.execute(job);
    }
  }

  public int inFlight() {
    return inFlight.size();
  }

  /** Whether the oldest batch in flight has finished, so taking it will not block. */
  public boolean oldestDone() {
    return !inFlight.isEmpty() && inFlight.peek().isDone();
  }

  /**
   * Waits for the oldest batch and takes it. Its failure is rethrown as it was (runtime exceptions
   * and errors unwrapped); an interrupt while waiting fails with the interrupt flag kept.
   */
  public Done<T, R> takeOldest() {
    PipelineJob<T, R> job = inFlight.peek();
    if (job == null) {
      throw new IllegalStateException("no batch in flight");
    }
    try {
      R result = job.get();
      take(job);
      return new Done<>(job.item(), result);
    } catch (InterruptedException e) {
      // Left in flight: close() reports it if it fails.
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while a batch was rendering", e);
    } catch (ExecutionException e) {
      take(job);
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    }
  }

  private void take(PipelineJob<T, R> job) {
    job.markTaken();
    inFlight.poll();
  }

  /** Stops the stage as the class contract says; {@code afterLast} may be null. */
  public void close(Runnable afterLast) {
    if (closed) {
      return;
    }
    closed = true;
    this.afterLast.set(afterLast == null ? () -> {} : afterLast);
    if (stage == null) {
      runAfterLast();
    } else {
      List<Runnable> dropped = stage.shutdownNow();
      for (PipelineJob<T, R> job : inFlight) {
        if (dropped.contains(job)) {
          job.drop();
        }
      }
      try {
        if (!stage.awaitTermination(closeWaitMillis, TimeUnit.MILLISECONDS)) {
          LOG.warn("A batch is still rendering; what it uses is freed when it ends");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        LOG.warn("Interrupted while a batch was rendering; what it uses is freed when it ends");
      }
    }
    for (PipelineJob<T, R> job : inFlight) {
      job.reportIfFailed();
    }
    inFlight.clear();
  }

  @Override
  public void close() {
    close(null);
  }

  /** Whether no batch can run any more: closed, and the render thread (if any) is gone. */
  public boolean isTerminated() {
    return closed && (stage == null || stage.isTerminated());
  }

  private void runAfterLast() {
    Runnable action = afterLast.getAndSet(null);
    if (action != null) {
      action.run();
    }
  }

  /** The render thread; the last thing it does is the task's {@code afterLast}. */
  private final class Stage extends ThreadPoolExecutor {
    Stage(String threadName) {
      super(
          1,
          1,
          0,
          TimeUnit.MILLISECONDS,
          new LinkedBlockingQueue<>(),
          runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
          });
    }

    @Override
    protected void terminated() {
      try {
        runAfterLast();
      } finally {
        super.terminated();
      }
    }
  }
}
