package dev.facerender.run;

import dev.facerender.config.ConfigException;
import dev.facerender.io.InputException;
import dev.facerender.model.ModelException;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.OutputModes;
import dev.facerender.output.RunStatus;
import java.nio.file.AccessDeniedException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;

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
        OutputModes.removeSuccessMarkers(out);
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
            && outputProblem(error) == null
            && (error instanceof InputException
                || error instanceof ModelException
                || error instanceof RunFailedException
                || error instanceof ConfigException);
    if (plain && unrecorded.isEmpty()) {
      return (RuntimeException) error;
    }
    if (cancelled || outputProblem(error) != null || !unrecorded.isEmpty()) {
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
    String problem = outputProblem(error);
    if (problem != null) {
      return problem + " while writing to " + out + "." + resume;
    }
    return Failures.describe(error);
  }

  /** "The file system is out of space" and the like, from anywhere in the cause chain; or null. */
  public static String outputProblem(Throwable error) {
    // Throwable.getCause() never returns the throwable itself (a self-cause reads as null), but a
    // chain can loop through two or more: each throwable is looked at once.
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
      String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (message.contains("no space left on device")) {
        return "The file system ran out of space (No space left on device)";
      }
      if (message.contains("disk quota exceeded")) {
        return "The disk quota ran out (Disk quota exceeded)";
      }
      if (t instanceof AccessDeniedException
          || t.getClass().getName().endsWith("AccessControlException")
          || message.contains("permission denied")) {
        return "The file system refused a write (permission denied: " + t.getMessage() + ")";
      }
    }
    return null;
  }
}
