package dev.facerender.runtime;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs libtorch work that a long-lived thread would otherwise do once, on a thread that ends with
 * it.
 *
 * <p>Why: libgomp (this build's OpenMP) keeps a pool of workers for every thread that ran a
 * parallel op on more than one thread, until that thread ends; once the process's pools hold more
 * threads than it has cores, every waiting OpenMP thread spins about 100 times before it sleeps,
 * instead of about 300 000 (GCC's libgomp, env.c: {@code gomp_throttled_spin_count_var}, used while
 * {@code gomp_managed_threads > gomp_available_cpus}). A task that calibrated on its task thread
 * and rendered on its render thread held two pools on a 2-core machine, and the stock SadTalker
 * network's render, on two threads, left the cores idle 9% of its time (perf) against under 1% for
 * the same file in PyTorch's own loop (docs/performance.md).
 */
public final class ShortLivedThread {
  private ShortLivedThread() {}

  /**
   * Runs {@code work} on a new thread named {@code name} and returns what it returned, or rethrows
   * what it threw. Waits for the thread to end even when interrupted (then it interrupts the thread
   * and keeps the caller's interrupt flag): what the work touches is the caller's to free after.
   */
  public static <V> V call(String name, Supplier<V> work) {
    AtomicReference<V> result = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                result.set(work.get());
              } catch (RuntimeException | Error e) {
                failure.set(e);
              }
            },
            name);
    thread.setDaemon(true);
    thread.start();
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
        thread.interrupt();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    Throwable thrown = failure.get();
    if (thrown instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (thrown instanceof Error error) {
      throw error;
    }
    return result.get();
  }
}
