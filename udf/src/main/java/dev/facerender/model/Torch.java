package dev.facerender.model;

import dev.facerender.natives.TorchNatives;
import org.bytedeco.pytorch.global.torch;

/** libtorch settings: intra-op threads, messages. */
public final class Torch {
  private Torch() {}

  /**
   * Sets libtorch's intra-op threads for the calling thread and returns them. In this libtorch
   * build (OpenMP) the count belongs to each calling thread: a thread takes the process-wide value
   * at its first parallel op and keeps it, so a pooled Spark task thread or a render thread would
   * keep whatever an earlier task, a driver-side check or another run in the JVM set. Every thread
   * that renders calls this first. Oversubscribing cores costs 3-18% on the warp.
   */
  public static int configureThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("torch threads must be >= 1, got " + threads);
    }
    TorchNatives.load();
    if (torch.get_num_threads() != threads) {
      torch.set_num_threads(threads);
    }
    return threads;
  }

  /** libtorch messages carry kilobytes of C++ stack after the first line. */
  public static String firstLine(Throwable error) {
    String message = String.valueOf(error.getMessage());
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }
}
