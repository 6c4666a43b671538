package dev.facerender.partition.render;

import dev.facerender.partition.frame.PendingFrame;
import java.util.List;

/**
 * The executor's JVM ran out of its own memory (the heap, or JavaCPP's limit on native memory)
 * during a batch. Not a device out-of-memory error: split-retry does not retry it, the task fails
 * with it.
 */
final class JvmMemoryExhausted extends RuntimeException {
  private static final long serialVersionUID = 1L;

  JvmMemoryExhausted(List<PendingFrame> frames, String device, OutOfMemoryError cause) {
    super(
        "The executor's JVM ran out of memory ("
            + cause.getMessage()
            + ") rendering a batch of "
            + frames.size()
            + " frames ("
            + span(frames)
            + ") on "
            + device
            + ". This is not the device's memory, so the batch is not split and retried. "
            + fix(cause),
        cause);
  }

  private static String fix(OutOfMemoryError cause) {
    if (String.valueOf(cause.getMessage()).startsWith("Physical memory usage is too high")) {
      return "JavaCPP refused native memory past its limit: raise"
          + " spark.executor.memoryOverhead and -Dorg.bytedeco.javacpp.maxPhysicalBytes with it"
          + " (0 turns the limit off).";
    }
    return "The heap holds up to --pipeline-depth + 1 batches of frames per task: raise"
        + " spark.executor.memory (on a local master spark.driver.memory), or lower"
        + " --pipeline-depth or --batch-size.";
  }

  private static String span(List<PendingFrame> frames) {
    PendingFrame first = frames.get(0);
    PendingFrame last = frames.get(frames.size() - 1);
    if (first.clipId().equals(last.clipId())) {
      return "clip " + first.clipId() + " frames " + first.frameIndex() + "-" + last.frameIndex();
    }
    return "clip "
        + first.clipId()
        + " frame "
        + first.frameIndex()
        + " to clip "
        + last.clipId()
        + " frame "
        + last.frameIndex();
  }
}
