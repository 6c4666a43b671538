package dev.facerender.config;

/**
 * A setting the user gave that cannot be used: a value that does not parse or breaks its rule, an
 * unknown key, or settings that contradict each other. The message names the key, the value and the
 * fix. An {@link IllegalArgumentException} so that code checking arguments treats it as one, but
 * its own class so that the CLI can tell bad input from a bug.
 */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
