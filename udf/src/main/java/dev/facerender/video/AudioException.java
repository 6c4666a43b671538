package dev.facerender.video;

/** A clip's audio that cannot be used, with the code that goes into the errors table. */
public final class AudioException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String code;

  public AudioException(String code, String message) {
    super(message);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
