package dev.facerender.partition.plan;

import dev.facerender.partition.frame.ClipSource;
import dev.facerender.partition.frame.PendingFrame;
import dev.facerender.partition.render.FrameBatch;
import dev.facerender.retry.AdaptiveCeiling;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Fills batches from the stream of windowed frames: one frame size per batch, cut when it reaches
 * its size's ceiling or the size changes. Each frame size gets its own plan and ceiling, planned on
 * first sight and kept for the task.
 *
 * <p>A size is planned once the frames to calibrate it on are at hand: the first frame of a size
 * without a plan and the next ones of its clip wait, up to {@link #CALIBRATION_FRAMES}, until the
 * clip or the size changes or the input ends; then the planner gets them all, so that a calibration
 * runs the task's own frames (and keeps their pixels) rather than copies of one.
 *
 * <p>Clip references: the pending batch retains each clip its frames use when the clip's first
 * frame joins it; a cut hands those references to the {@link CutBatch}; the waiting frames hold one
 * reference to their clip until they join batches; {@link #close} releases those of frames never
 * cut.
 */
public final class BatchAssembler {
  /**
   * The frames a plan waits for: a CPU calibration within what a job repays runs 5-10 of them, a
   * GPU's sizes repeat them; each kept frame holds its 8-bit pixels until its batch.
   */
  public static final int CALIBRATION_FRAMES = 16;

  private final Function<List<PendingFrame>, BatchPlanner.Planned> planner;
  private final int growAfter;
  private final Map<Long, SizePlan> plans = new HashMap<>();
  private List<PendingFrame> pending = new ArrayList<>();
  private List<ClipSource> pendingClips = new ArrayList<>();
  private SizePlan pendingPlan;
  private List<PendingFrame> waiting = new ArrayList<>();

  /** {@code planner} plans for a frame size from its first frames (one clip's, in order). */
  public BatchAssembler(Function<List<PendingFrame>, BatchPlanner.Planned> planner, int growAfter) {
    this.planner = planner;
    this.growAfter = growAfter;
  }

  /** Adds a frame; a batch that is full, or of another size, goes to {@code out}. */
  public void add(PendingFrame frame, Consumer<CutBatch> out) {
    if (!waiting.isEmpty() && frame.source() != waiting.get(0).source()) {
      planWaiting(out);
    }
    if (waiting.isEmpty()) {
      SizePlan plan = plans.get(sizeKey(frame));
      if (plan != null) {
        addPlanned(frame, plan, out);
        return;
      }
      frame.source().retain();
    }
    waiting.add(frame);
    if (waiting.size() >= CALIBRATION_FRAMES) {
      planWaiting(out);
    }
  }

  private void addPlanned(PendingFrame frame, SizePlan plan, Consumer<CutBatch> out) {
    if (pendingPlan != plan) {
      cutPending(out);
      pendingPlan = plan;
    }
    ClipSource clip = frame.source();
    if (pendingClips.isEmpty() || pendingClips.get(pendingClips.size() - 1) != clip) {
      clip.retain();
      pendingClips.add(clip);
    }
    pending.add(frame);
    if (pending.size() >= plan.ceiling().ceiling()) {
      cutPending(out);
    }
  }

  /**
   * Plans for the waiting frames, if any, and cuts what is pending into a batch for {@code out}.
   */
  public void cut(Consumer<CutBatch> out) {
    planWaiting(out);
    cutPending(out);
  }

  private void cutPending(Consumer<CutBatch> out) {
    if (pending.isEmpty()) {
      return;
    }
    CutBatch batch =
        new CutBatch(
            new FrameBatch(pending), pendingPlan, pendingClips, System.currentTimeMillis());
    pending = new ArrayList<>();
    pendingClips = new ArrayList<>();
    out.accept(batch);
  }

  /** Drops the pending and waiting frames, releasing their clips. */
  public void close() {
    if (!waiting.isEmpty()) {
      waiting.get(0).source().release();
      waiting = new ArrayList<>();
    }
    pending = new ArrayList<>();
    List<ClipSource> held = pendingClips;
    pendingClips = new ArrayList<>();
    held.forEach(ClipSource::release);
  }

  /** Plans the waiting frames' size from them, then adds them as any planned frame. */
  private void planWaiting(Consumer<CutBatch> out) {
    if (waiting.isEmpty()) {
      return;
    }
    List<PendingFrame> frames = waiting;
    waiting = new ArrayList<>();
    PendingFrame first = frames.get(0);
    try {
      BatchPlanner.Planned planned = planner.apply(frames);
      SizePlan plan =
          new SizePlan(
              first.source().width(),
              first.source().height(),
              planned,
              new AdaptiveCeiling(planned.plan().batch(), growAfter));
      plans.put(sizeKey(first), plan);
      for (PendingFrame frame : frames) {
        addPlanned(frame, plan, out);
      }
    } finally {
      // The waiting frames' reference: the pending batches hold their own now.
      first.source().release();
    }
  }

  private static long sizeKey(PendingFrame frame) {
    return ((long) frame.source().width() << 32) | frame.source().height();
  }
}
