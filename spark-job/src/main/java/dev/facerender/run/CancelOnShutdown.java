package dev.facerender.run;

import dev.facerender.job.Cancellation;
import dev.facerender.job.RunFailedException;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.RunStatus;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.util.ShutdownHookManager;

/**
 * Ctrl-C (SIGINT) or SIGTERM during a run: before Spark stops (its hook runs at Hadoop priority
 * {@code FileSystem.SHUTDOWN_HOOK_PRIORITY + 30}; this one runs before it), cancels the jobs so
 * tasks stop while their models are still loaded, waits for the run to record itself as failed, and
 * says the run was cancelled and how to resume it.
 */
public final class CancelOnShutdown implements Cancellation, AutoCloseable {
  private static final int PRIORITY = FileSystem.SHUTDOWN_HOOK_PRIORITY + 40;
  private static final long WAIT_SECONDS = 20;

  private final OutputFolder out;
  private final CountDownLatch recorded = new CountDownLatch(1);
  private final Runnable hook = this::cancel;
  private volatile boolean cancelled;
  private volatile boolean succeeded;
  private volatile RunStatus status;

  private volatile Runnable stopWork = () -> {};

  CancelOnShutdown(OutputFolder out) {
    this.out = out;
    ShutdownHookManager.get().addShutdownHook(hook, PRIORITY, WAIT_SECONDS + 5, TimeUnit.SECONDS);
  }

  @Override
  public void onCancel(Runnable stop) {
    this.stopWork = stop;
  }

  /** The run whose state the cancellation reports. */
  void follow(RunStatus run) {
    this.status = run;
  }

  boolean cancelled() {
    return cancelled;
  }

  // Cancelling Spark's jobs stops only the running ones, so the run checks this before more work.
  @Override
  public void check() {
    if (cancelled) {
      throw new RunFailedException("The run was cancelled.");
    }
  }

  /** The run succeeded and recorded it; a shutdown now has nothing to cancel. */
  void succeeded() {
    succeeded = true;
    recorded.countDown();
  }

  /** The run has recorded how it ended; a waiting shutdown may go on. */
  void done() {
    recorded.countDown();
  }

  @Override
  public void close() {
    done();
    if (!ShutdownHookManager.get().isShutdownInProgress()) {
      ShutdownHookManager.get().removeShutdownHook(hook);
    }
  }

  private void cancel() {
    if (recorded.getCount() == 0) {
      return;
    }
    cancelled = true;
    stopWork.run();
    try {
      recorded.await(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    RunStatus run = status;
    if (succeeded) {
      System.err.println(
          "\nfacerender: interrupted after run "
              + (run == null ? "" : run.runId() + " ")
              + "had finished; its output in "
              + out
              + " is complete.");
      return;
    }
    System.err.println(
        "\nfacerender: run "
            + (run == null ? "" : run.runId() + " ")
            + "was cancelled; the output in "
            + out
            + " has no _SUCCESS marker. "
            + (run != null && run.wroteAnything()
                ? "Committed waves are kept: run the same command with --mode resume to continue."
                : "Nothing was written: run the same command again."));
  }
}
