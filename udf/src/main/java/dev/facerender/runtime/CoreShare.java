package dev.facerender.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This JVM's cores shared by the tasks rendering now. A task's libtorch threads follow how many
 * tasks are alive, read at each batch start: one task alone (one clip, or the last task of a run)
 * takes every core, and gives them back when more tasks start. A task counts from {@link #join}
 * until its lease closes. Thread-safe.
 */
public final class CoreShare {
  private final int cores;
  private final AtomicInteger live = new AtomicInteger();

  public CoreShare(int cores) {
    if (cores < 1) {
      throw new IllegalArgumentException("cores must be >= 1, got " + cores);
    }
    this.cores = cores;
  }

  /** A share of this machine's cores, as the JVM sees them. */
  public static CoreShare ofThisMachine() {
    return new CoreShare(Runtime.getRuntime().availableProcessors());
  }

  /** Counts a task until the lease closes (idempotent). */
  public Lease join() {
    live.incrementAndGet();
    return new Lease();
  }

  /** libtorch threads for each live task now: the cores split evenly, at least one. */
  public int threadsEach() {
    return Math.max(1, cores / Math.max(1, live.get()));
  }

  public int cores() {
    return cores;
  }

  /** One task's place in the share. */
  public final class Lease implements AutoCloseable {
    private final AtomicBoolean closed = new AtomicBoolean();

    private Lease() {}

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        live.decrementAndGet();
      }
    }
  }
}
