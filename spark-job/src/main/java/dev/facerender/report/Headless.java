package dev.facerender.report;

/**
 * Drawing never reaches for a display: Spark drivers started by spark-submit do not pass the
 * launcher's JVM options, and AWT reads the setting once, at its first use.
 */
final class Headless {
  private Headless() {}

  /** Sets {@code java.awt.headless} unless the caller chose a value. Call before any AWT class. */
  static void ensure() {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }
}
