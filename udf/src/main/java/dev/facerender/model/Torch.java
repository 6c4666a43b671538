package dev.facerender.model;

import dev.facerender.natives.TorchNatives;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.pytorch.global.torch;

/** Process-wide libtorch settings. */
public final class Torch {
  private static final AtomicInteger CONFIGURED_THREADS = new AtomicInteger();

  private Torch() {}

  /**
   * Sets libtorch's intra-op threads once per JVM: the pool is process-wide, so the first task of
   * an executor decides for all of them. Oversubscribing cores costs 3-18% on the warp.
   */
  public static int configureThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("torch threads must be >= 1, got " + threads);
    }
    TorchNatives.load();
    if (CONFIGURED_THREADS.compareAndSet(0, threads)) {
      torch.set_num_threads(threads);
    }
    return CONFIGURED_THREADS.get();
  }

  /** libtorch messages carry kilobytes of C++ stack after the first line. */
  public static String firstLine(Throwable error) {
    String message = String.valueOf(error.getMessage());
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }
}
