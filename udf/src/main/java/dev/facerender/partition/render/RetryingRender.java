package dev.facerender.partition.render;

import dev.facerender.device.Device;
import dev.facerender.metrics.FrameError;
import dev.facerender.model.Torch;
import dev.facerender.partition.frame.PendingFrame;
import dev.facerender.retry.AdaptiveCeiling;
import dev.facerender.retry.SplitRetry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Renders a batch on the render stage with split-and-retry, teaching its frame size's ceiling. A
 * batch cut before an OOM lowered that ceiling is first cut down to it, so no batch in flight
 * repeats a known OOM. A lone frame that still runs out of memory becomes an error row. The cache
 * is not emptied after an OOM: libtorch's caching allocator already returned its free cached
 * segments and retried before it raised the OOM, and emptying again would stall every task on the
 * device.
 */
public final class RetryingRender {
  /** OOMs are often transient under shared load: a lone frame gets this many more tries. */
  private static final int SINGLE_FRAME_RETRIES = 4;

  /** What a batch came to, and the ceiling and size it started at. */
  public record Rendered(
      List<RenderedBatch> pieces,
      List<FrameError> errors,
      int ooms,
      int splits,
      long wallNanos,
      int ceilingAtStart,
      int firstTry) {}

  private final Function<FrameBatch, RenderedBatch> render;
  private final Device device;
  private final String runId;

  public RetryingRender(Function<FrameBatch, RenderedBatch> render, Device device, String runId) {
    this.render = render;
    this.device = device;
    this.runId = runId;
  }

  /**
   * Renders {@code frames} under {@code ceiling}, the ceiling of their frame size, which the OOMs
   * and successes met here teach. Given the ceiling rather than the cut batch, so that rendering
   * knows nothing of how batches are planned and cut.
   */
  public Rendered run(FrameBatch frames, AdaptiveCeiling ceiling) {
    long start = System.nanoTime();
    int limit = ceiling.ceiling();
    List<FrameBatch> chunks = frames.size() > limit ? frames.chunks(limit) : List.of(frames);
    int firstTry = chunks.get(0).size();
    List<FrameError> errors = new ArrayList<>();
    SplitRetry<FrameBatch, RenderedBatch> retry =
        new SplitRetry<>(
            render, (piece, error) -> givenUp(piece, error, errors), SINGLE_FRAME_RETRIES);
    int[] counts = {0, 0};
    SplitRetry.Listener listener =
        new SplitRetry.Listener() {
          @Override
          public void onOutOfMemory(int pieceSize, RuntimeException error) {
            counts[0]++;
            if (pieceSize > 1) {
              counts[1]++;
            }
            ceiling.onOutOfMemory(pieceSize);
          }

          @Override
          public void onSuccess(int pieceSize) {
            ceiling.onSuccess(pieceSize);
          }
        };
    List<RenderedBatch> pieces = new ArrayList<>();
    for (FrameBatch chunk : chunks) {
      pieces.addAll(retry.run(chunk, listener));
    }
    return new Rendered(
        pieces, errors, counts[0], counts[1], System.nanoTime() - start, limit, firstTry);
  }

  /** A one-frame piece that still ran out of memory: its frame becomes an error row. */
  private RenderedBatch givenUp(FrameBatch piece, RuntimeException error, List<FrameError> errors) {
    PendingFrame frame = piece.frames().get(0);
    errors.add(
        new FrameError(
            runId,
            frame.clipId(),
            frame.frameIndex(),
            "render",
            "OUT_OF_MEMORY",
            "one frame does not fit on "
                + device.id()
                + " ("
                + Torch.firstLine(error)
                + "): lower the resolution or free the device"));
    List<byte[]> none = new ArrayList<>();
    none.add(null);
    return new RenderedBatch(piece.frames(), none, List.of(), 0, -1);
  }
}
