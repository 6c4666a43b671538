package dev.facerender.concurrent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Failures of work run on another thread, thrown again as they were thrown there. */
public final class Futures {
  private Futures() {}

  /** The value of {@code future}, or its failure as it was thrown (not wrapped). */
  public static <V> V join(CompletableFuture<V> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      throw unwrapped(e);
    }
  }

  /**
   * What to throw for {@code wrapper} (a {@code CompletionException} or {@code
   * ExecutionException}): its cause when that is a runtime exception; its cause is thrown here when
   * that is an error; otherwise the wrapper itself, or an unchecked one around a checked cause.
   */
  public static RuntimeException unwrapped(Exception wrapper) {
    Throwable cause = wrapper.getCause();
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    return wrapper instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
  }
}
