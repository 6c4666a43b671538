package dev.facerender.partition.emit;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pool of threads that encode frames beside the tasks' own (the local engine on a GPU: a few
 * render slots per GPU, the other cores encoding). Closing stops them; work already handed over
 * finishes.
 */
public final class EncoderPool implements AutoCloseable {
  private final ExecutorService pool;
  private final int threads;

  private EncoderPool(int threads) {
    AtomicInteger started = new AtomicInteger();
    this.threads = threads;
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            task -> {
              Thread thread = new Thread(task, "facerender-encode-" + started.getAndIncrement());
              thread.setDaemon(true);
              return thread;
            });
  }

  /** A pool of {@code threads} threads; none (null) for fewer than one. */
  public static EncoderPool of(int threads) {
    return threads < 1 ? null : new EncoderPool(threads);
  }

  Executor executor() {
    return pool;
  }

  int threads() {
    return threads;
  }

  @Override
  public void close() {
    pool.shutdown();
  }
}
