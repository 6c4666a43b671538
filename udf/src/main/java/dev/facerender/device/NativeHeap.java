package dev.facerender.device;

import java.io.File;

/**
 * The process's malloc counters, kept by {@code libfacerender-heap.so} (udf/src/main/c) when it is
 * preloaded ({@code LD_PRELOAD}, as the launcher, the tests and local executors do): every byte the
 * process holds from malloc, libtorch's CPU tensors among them, and the most it held since the last
 * {@link #resetPeak}. Exact to the block, unlike the resident set. Without the preload, {@link
 * #counting} is false and the CPU falls back to the resident set.
 */
public final class NativeHeap {
  /** The library's file name; the launcher and the build use the same. */
  public static final String LIBRARY = "libfacerender-heap.so";

  private static final boolean COUNTING = load();

  private NativeHeap() {}

  /** Whether the counters see every allocation: the library was preloaded. */
  public static boolean counting() {
    return COUNTING;
  }

  /** Bytes held from malloc now; only meaningful when {@link #counting}. */
  public static long live() {
    return COUNTING ? liveBytes() : -1;
  }

  /** The most bytes held since the last {@link #resetPeak}; -1 when not {@link #counting}. */
  public static long peak() {
    return COUNTING ? peakBytes() : -1;
  }

  /** Starts a new peak at what is held now. */
  public static void reset() {
    if (COUNTING) {
      resetPeak();
    }
  }

  /** The counter named in {@code LD_PRELOAD} when that file exists, else null (no gcc built it). */
  public static File preloadedFile() {
    String preload = System.getenv("LD_PRELOAD");
    if (preload == null) {
      return null;
    }
    for (String entry : preload.split("[: ]")) {
      if (entry.endsWith(LIBRARY) && new File(entry).isFile()) {
        return new File(entry).getAbsoluteFile();
      }
    }
    return null;
  }

  private static boolean load() {
    File file = preloadedFile();
    if (file == null) {
      return false;
    }
    try {
      // Binds the JNI methods to the copy the dynamic linker already preloaded.
      System.load(file.getPath());
      return interposed();
    } catch (UnsatisfiedLinkError e) {
      return false;
    }
  }

  // JNI names: the C side's Java_dev_facerender_device_NativeHeap_<name>.
  private static native boolean interposed();

  private static native long liveBytes();

  private static native long peakBytes();

  private static native void resetPeak();
}
