package dev.facerender.sadtalker;

import java.nio.file.Path;

/** A file an import cannot take: the message names the file, what is wrong and the fix. */
public final class ImportException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  public ImportException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  public ImportException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /** A failure of many files at once: the message lists them, {@link #file} is null. */
  public ImportException(String summary) {
    super(summary);
    this.file = null;
  }

  public Path file() {
    return file;
  }
}
