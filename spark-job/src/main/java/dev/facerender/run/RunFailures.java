package dev.facerender.run;

import dev.facerender.config.ConfigException;
import dev.facerender.io.InputException;
import dev.facerender.job.Failures;
import dev.facerender.job.RunFailedException;
import dev.facerender.model.ModelException;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.RunStatus;
import dev.facerender.output.SuccessMarkers;
import java.util.ArrayList;
import java.util.List;

/**
 * What a run leaves when it fails: no {@code _SUCCESS} marker anywhere, run.json "failed" with the
 * reason (once run.json exists), and one line for the user. The file system running out of space or
 * refusing a write is told in words (what ran out, where, how to continue), not as a stack trace.
 */
public final class RunFailures {
  private RunFailures() {}

  /** Records {@code error} in {@code out}; returns what the caller should throw. */
  static RuntimeException record(
      OutputFolder out, RunStatus status, Throwable error, boolean cancelled) {
    String reason = reason(out, status, error, cancelled);
    List<String> unrecorded = new ArrayList<>();
    if (status.wroteAnything()) {
      try {
        SuccessMarkers.remove(out);
      } catch (RuntimeException e) {
        unrecorded.add("could not remove _SUCCESS markers: " + Failures.describe(e));
      }
      try {
        status.failed(reason);
      } catch (RuntimeException e) {
        unrecorded.add("could not update run.json: " + Failures.describe(e));
      }
    }
    if (!unrecorded.isEmpty()) {
      reason = reason + " (" + String.join("; ", unrecorded) + ")";
    }
    boolean plain =
        !cancelled
            && Failures.outputProblem(error) == null
            && (error instanceof InputException
                || error instanceof ModelException
                || error instanceof RunFailedException
                || error instanceof ConfigException);
    if (plain && unrecorded.isEmpty()) {
      return (RuntimeException) error;
    }
    if (cancelled || Failures.outputProblem(error) != null || !unrecorded.isEmpty()) {
      RunFailedException failed = new RunFailedException(reason);
      failed.initCause(error);
      return failed;
    }
    // An Error keeps its class and chain as the cause; the message is the reason recorded.
    return error instanceof RuntimeException runtime
        ? runtime
        : new IllegalStateException(reason, error);
  }

  /**
   * The one-line reason: cancellation, an output file system problem, or the message of the cause
   * that explains the error ({@link Failures#describe}), never a wrapper's class name.
   */
  static String reason(OutputFolder out, RunStatus status, Throwable error, boolean cancelled) {
    String resume =
        status.wroteAnything()
            ? " Waves committed so far are kept: run the same command with --mode resume to"
                + " continue."
            : "";
    if (cancelled) {
      return "Run " + status.runId() + " was cancelled." + resume;
    }
    String problem = Failures.outputProblem(error);
    if (problem != null) {
      return problem + " while writing to " + out + "." + resume;
    }
    return Failures.describe(error);
  }
}
