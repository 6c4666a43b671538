package dev.facerender.job;

/** A run that finished its work but must not count as a success (too many rejected rows). */
public final class RunFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RunFailedException(String message) {
    super(message);
  }
}
