package dev.facerender.io;

/** Input that stops a run before any task starts: wrong schema, missing table, bad option. */
public final class InputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InputException(String message) {
    super(message);
  }

  public InputException(String message, Throwable cause) {
    super(message, cause);
  }
}
