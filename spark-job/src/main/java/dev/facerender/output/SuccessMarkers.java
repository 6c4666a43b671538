package dev.facerender.output;

import java.nio.charset.StandardCharsets;

/**
 * The {@code _SUCCESS} markers readers wait on: each table's, the videos manifest's, then the
 * folder's, written last and only by a run whose every check passed; none may stay while a run
 * writes.
 */
public final class SuccessMarkers {
  public static final String NAME = "_SUCCESS";

  private SuccessMarkers() {}

  /** Marks run {@code runId}'s output complete: the tables first, the folder's marker last. */
  public static void write(OutputFolder out, String runId) {
    byte[] marker = (runId + "\n").getBytes(StandardCharsets.UTF_8);
    for (String table : Staging.TABLES) {
      out.writeAtomically(table + "/" + NAME, marker);
    }
    if (out.exists(VideoRun.MANIFEST)) {
      out.writeAtomically(VideoRun.MANIFEST + "/" + NAME, marker);
    }
    out.writeAtomically(NAME, marker);
  }

  /** Removes every marker: readers take one as "complete". */
  public static void remove(OutputFolder out) {
    out.delete(NAME);
    for (String table : Staging.TABLES) {
      out.delete(table + "/" + NAME);
    }
    out.delete(VideoRun.MANIFEST + "/" + NAME);
  }
}
