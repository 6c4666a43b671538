package dev.facerender.natives;

/**
 * Which libtorch build this process loads: the CPU one, or the GPU one ({@code -Pgpu}, selected at
 * run time with {@code -Dorg.bytedeco.javacpp.platform.extension=-gpu}).
 */
public enum NativesKind {
  CPU,
  GPU;

  static final String EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";

  /** The kind this JVM's platform extension selects (JavaCPP loads natives by it). */
  public static NativesKind ofThisProcess() {
    return of(System.getProperty(EXTENSION_PROPERTY, ""));
  }

  /** {@code -gpu} (or an extension ending in it) selects the GPU natives. */
  public static NativesKind of(String platformExtension) {
    return platformExtension.strip().endsWith("-gpu") ? GPU : CPU;
  }
}
