package dev.facerender.codec;

/** A source image that cannot be used, with the code that goes into the errors table. */
public final class ImageDecodeException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String code;

  public ImageDecodeException(String code, String message) {
    super(message);
    this.code = code;
  }

  public ImageDecodeException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
