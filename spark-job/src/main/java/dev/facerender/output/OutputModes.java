package dev.facerender.output;

import dev.facerender.io.InputException;
import java.util.List;

/**
 * What each {@code --mode} does with an existing output folder, once the run holds its lock (a
 * refusal leaves the folder as it was), and the debris of a dead run every mode removes before it
 * writes: staged waves never committed, Spark's {@code _temporary} folders, {@code _SUCCESS}
 * markers (the folder is not complete while a run writes).
 */
public final class OutputModes {
  private OutputModes() {}

  /**
   * Prepares {@code out} for {@code mode}; returns the run id to resume (resume only), else null.
   */
  public static String prepare(OutputFolder out, String mode) {
    List<String> entries =
        out.list(".").stream().filter(name -> !name.equals(OutputLock.NAME)).toList();
    RunStatus.Previous previous = RunStatus.previous(out);
    String resumed = null;
    switch (mode) {
      case "error-if-exists" -> {
        if (!entries.isEmpty()) {
          throw new InputException(
              "Output folder "
                  + out
                  + " already exists and is not empty: choose another --out, or pass --mode"
                  + " overwrite (start over), append (add to a finished run) or resume (continue"
                  + " a run that did not finish)");
        }
      }
      case "overwrite" -> entries.forEach(out::delete);
      case "append" -> {
        if (!entries.isEmpty() && (previous == null || !previous.succeeded())) {
          throw new InputException(
              "Output folder "
                  + out
                  + " holds a run that did not finish"
                  + (previous == null
                      ? ""
                      : " (run " + previous.runId() + ", " + previous.status() + ")")
                  + ": appending would mix its partial tables in. --mode resume continues it,"
                  + " --mode overwrite starts over.");
        }
      }
      case "resume" -> {
        if (previous == null) {
          throw new InputException(
              "Nothing to resume in "
                  + out
                  + ": no run.json there. Start the run without --mode resume.");
        }
        if (previous.succeeded()) {
          throw new InputException(
              "Run "
                  + previous.runId()
                  + " in "
                  + out
                  + " already succeeded: nothing to resume. --mode append adds new clips.");
        }
        if (new RunManifest(out, previous.runId()).input() == null) {
          throw new InputException(
              "Run "
                  + previous.runId()
                  + " in "
                  + out
                  + " stopped before its first wave started: nothing to resume, start over with"
                  + " --mode overwrite.");
        }
        resumed = previous.runId();
        // Waves committed before a crash may still have files in staging: move them first.
        new RunManifest(out, resumed).publishCommitted();
      }
      default -> throw new IllegalArgumentException("Unknown --mode " + mode);
    }
    return resumed;
  }

  /** Removes what a dead run left, once this run is about to write. */
  public static void removeDebris(OutputFolder out) {
    out.delete(Staging.ROOT);
    for (String table : Staging.TABLES) {
      out.delete(table + "/_temporary");
    }
    out.delete(VideoRun.MANIFEST + "/_temporary");
    SuccessMarkers.remove(out);
  }
}
