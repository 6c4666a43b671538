package dev.facerender.partition;

/**
 * Faults a batch can meet before it renders: none in production, injected OOMs in rehearsals
 * ({@link OomInjector}), or whatever a test needs (an OOM above N frames at one frame size).
 */
@FunctionalInterface
interface BatchFaults {
  BatchFaults NONE = (frames, pixels) -> {};

  /** Throws (an OOM, say) when a batch of {@code frames} frames of {@code pixels} must fail. */
  void check(int frames, long pixels);
}
