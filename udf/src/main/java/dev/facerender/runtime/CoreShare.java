package dev.facerender.runtime;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * This JVM's cores shared by the tasks rendering now. A task's libtorch threads follow how many
 * tasks are alive, read at each batch start: one task alone (one clip, or the last task of a run)
 * takes every core, and gives them back when more tasks start. A task counts from its first plan
 * ({@link Lease#count}) until its lease closes. Thread-safe.
 */
public final class CoreShare {
  private final int cores;
  private final AtomicInteger live = new AtomicInteger();
  private final AtomicInteger waiting = new AtomicInteger();

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
    Lease lease = new Lease();
    lease.count();
    return lease;
  }

  /**
   * A task's lease not counted yet: {@link Lease#count} starts it. A task waiting to plan (behind
   * another task's batch, which may take a minute on a CPU) must not halve the threads that batch
   * starts with while it renders nothing.
   */
  public Lease pending() {
    return new Lease();
  }

  /** libtorch threads for each live task now: the cores split evenly, at least one. */
  public int threadsEach() {
    return Math.max(1, cores / Math.max(1, live.get()));
  }

  /**
   * libtorch threads for each task once the tasks waiting to plan have started too: what a task's
   * calibration must measure at, as its batches will run so. Calibrating on every core while the
   * other task waited timed a reduced SadTalker export at two threads, where the render ran two
   * tasks of one (and two OpenMP threads were the slower for its small operations).
   */
  public int threadsEachOnceStarted() {
    return Math.max(1, cores / Math.max(1, live.get() + waiting.get()));
  }

  public int cores() {
    return cores;
  }

  /** One task's place in the share. */
  public final class Lease implements AutoCloseable {
    private static final int PENDING = 0;
    private static final int COUNTED = 1;
    private static final int CLOSED = 2;

    private final AtomicInteger state = new AtomicInteger(PENDING);

    private Lease() {
      waiting.incrementAndGet();
    }

    /** Counts the task from now (idempotent; nothing once closed). */
    public void count() {
      if (state.compareAndSet(PENDING, COUNTED)) {
        live.incrementAndGet();
        waiting.decrementAndGet();
      }
    }

    @Override
    public void close() {
      int was = state.getAndSet(CLOSED);
      if (was == COUNTED) {
        live.decrementAndGet();
      } else if (was == PENDING) {
        waiting.decrementAndGet();
      }
    }
  }
}
