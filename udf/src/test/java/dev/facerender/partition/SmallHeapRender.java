package dev.facerender.partition;

import dev.facerender.metrics.BatchMetrics;
import dev.facerender.model.BuiltinModels;
import dev.facerender.model.FrameModel;
import dev.facerender.model.Models;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * Renders large frames with a batch size the heap cannot hold, in a JVM of its own (run by {@link
 * HeapBudgetTest} with a small -Xmx). Prints "frames N planned P ooms O" on success.
 */
public final class SmallHeapRender {
  private SmallHeapRender() {}

  public static void main(String[] args) {
    int size = Integer.parseInt(args[0]);
    int frames = Integer.parseInt(args[1]);
    List<Row> rows = Fixtures.clip("large", size, frames, 0.1f);
    Fixtures.Sinks sinks = new Fixtures.Sinks();
    RenderSettings settings = Fixtures.settings("batchSize", "64", "pipelineDepth", "2");
    Fixtures.PlannedDevice device = new Fixtures.PlannedDevice("heap-gpu", 64L << 30, 0, 1);
    int out = 0;
    try (FrameModel warp = Models.load(BuiltinModels.WARP)) {
      PartitionRenderer renderer =
          new PartitionRenderer(
              rows.iterator(),
              settings,
              sinks,
              Fixtures.task(),
              device,
              warp,
              null,
              BatchFaults.NONE,
              null);
      while (renderer.hasNext()) {
        renderer.next();
        out++;
      }
    }
    int planned = sinks.metrics.stream().mapToInt(BatchMetrics::plannedBatch).max().orElse(-1);
    int ooms = sinks.metrics.stream().mapToInt(BatchMetrics::ooms).sum();
    System.out.println("frames " + out + " planned " + planned + " ooms " + ooms);
  }
}
