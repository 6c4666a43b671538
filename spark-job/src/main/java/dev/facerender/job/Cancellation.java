package dev.facerender.job;

/**
 * How the work of a run learns of a cancellation (Ctrl-C, SIGTERM): what stops it, and a check
 * before it starts more.
 */
public interface Cancellation {
  /** What stops the run's work on a cancellation: Spark's jobs, or the local engine's threads. */
  void onCancel(Runnable stop);

  /** Throws {@link RunFailedException} once a cancellation has begun. */
  void check();
}
