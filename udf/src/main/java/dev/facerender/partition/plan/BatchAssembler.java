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
 * <p>Clip references: the pending batch retains each clip its frames use when the clip's first
 * frame joins it; a cut hands those references to the {@link CutBatch}; {@link #close} releases
 * those of a batch never cut.
 */
public final class BatchAssembler {
  private final Function<PendingFrame, BatchPlanner.Planned> planner;
  private final int growAfter;
  private final Map<Long, SizePlan> plans = new HashMap<>();
  private List<PendingFrame> pending = new ArrayList<>();
  private List<ClipSource> pendingClips = new ArrayList<>();
  private SizePlan pendingPlan;

  /** {@code planner} plans for a frame size from a sample frame of it. */
  public BatchAssembler(Function<PendingFrame, BatchPlanner.Planned> planner, int growAfter) {
    this.planner = planner;
    this.growAfter = growAfter;
  }

  /** Adds a frame; a batch that is full, or of another size, goes to {@code out}. */
  public void add(PendingFrame frame, Consumer<CutBatch> out) {
    SizePlan plan = planFor(frame);
    if (pendingPlan != plan) {
      cut(out);
      pendingPlan = plan;
    }
    ClipSource clip = frame.source();
    if (pendingClips.isEmpty() || pendingClips.get(pendingClips.size() - 1) != clip) {
      clip.retain();
      pendingClips.add(clip);
    }
    pending.add(frame);
    if (pending.size() >= plan.ceiling().ceiling()) {
      cut(out);
    }
  }

  /** Cuts what is pending, if anything, into a batch for {@code out}. */
  public void cut(Consumer<CutBatch> out) {
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

  /** Drops the pending frames, releasing their clips. */
  public void close() {
    pending = new ArrayList<>();
    List<ClipSource> held = pendingClips;
    pendingClips = new ArrayList<>();
    held.forEach(ClipSource::release);
  }

  private SizePlan planFor(PendingFrame frame) {
    int width = frame.source().width();
    int height = frame.source().height();
    long key = ((long) width << 32) | height;
    SizePlan plan = plans.get(key);
    if (plan == null) {
      BatchPlanner.Planned planned = planner.apply(frame);
      plan =
          new SizePlan(
              width, height, planned, new AdaptiveCeiling(planned.plan().batch(), growAfter));
      plans.put(key, plan);
    }
    return plan;
  }
}
