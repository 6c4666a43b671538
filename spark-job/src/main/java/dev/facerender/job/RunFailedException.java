package dev.facerender.job;

/** A run that finished its work but must not count as a success (too many rejected rows). */
public final class RunFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient RunSummary summary;

  public RunFailedException(String message, RunSummary summary) {
    super(message);
    this.summary = summary;
  }

  public RunSummary summary() {
    return summary;
  }
}
