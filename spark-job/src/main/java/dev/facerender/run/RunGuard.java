package dev.facerender.run;

import dev.facerender.job.RunSummary;
import dev.facerender.model.ModelException;
import dev.facerender.output.AfterCommit;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.OutputLock;
import dev.facerender.output.OutputModes;
import dev.facerender.output.RunStatus;
import java.time.Instant;
import java.util.UUID;

/**
 * What every run does around its body, whichever engine renders: takes the output folder's lock,
 * prepares the folder for the mode (resume keeps the run's id), follows cancellation, records a
 * failure in run.json with its cause (removing a folder the run created and wrote nothing to), and
 * releases the lock.
 */
public final class RunGuard {
  private RunGuard() {}

  /** A run's body: renders into {@code out} under its lock, with its status and cancellation. */
  interface Body {
    RunSummary run(OutputFolder out, OutputLock lock, RunStatus status, CancelOnShutdown cancel);
  }

  /**
   * Runs {@code body} holding {@code out}'s lock, after preparing the folder for {@code mode}; a
   * failure leaves run.json "failed" with the reason (and no folder when nothing was written).
   * {@code engine} is recorded in run.json.
   */
  static RunSummary run(OutputFolder out, String mode, String engine, Body body) {
    String attemptId =
        Instant.now().toString().replaceAll("[^0-9]", "").substring(0, 14)
            + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    boolean existed = out.exists();
    try (OutputLock lock = OutputLock.acquire(out, attemptId);
        CancelOnShutdown cancel = new CancelOnShutdown(out)) {
      // A refused mode leaves the folder as it was (the lock aside, released on the way out).
      String resumed = OutputModes.prepare(out, mode);
      RunStatus status = new RunStatus(out, resumed != null ? resumed : attemptId, attemptId, mode);
      status.head().put("engine", engine);
      cancel.follow(status);
      try {
        RunSummary summary = body.run(out, lock, status, cancel);
        cancel.succeeded();
        // A lock left behind is taken over by the next run on this host (or named, with the file
        // to delete, to a run elsewhere): the finished run does not fail for it.
        AfterCommit.tidy("releasing " + OutputLock.NAME, lock::close);
        return summary;
      } catch (RuntimeException | Error e) {
        RuntimeException reported = RunFailures.record(out, status, e, cancel.cancelled());
        boolean brokenModel = reported instanceof ModelException && !status.committedAnything();
        if (!existed && (!status.wroteAnything() || brokenModel)) {
          // Stopped before it wrote anything (bad input, a broken model), or a model a task's first
          // batch found broken (the local engine's preflight runs no test batch) before any wave
          // was committed: leave no folder behind.
          lock.close();
          out.delete(".");
        }
        throw reported;
      } finally {
        cancel.done();
      }
    }
  }
}
