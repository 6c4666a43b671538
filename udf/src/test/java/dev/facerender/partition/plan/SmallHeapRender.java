package dev.facerender.partition.plan;

import dev.facerender.metrics.BatchMetrics;
import dev.facerender.partition.Fixtures;
import dev.facerender.partition.faults.BatchFaults;
import dev.facerender.partition.task.RenderSettings;
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
    int out = Fixtures.renderWithWarp(rows, settings, sinks, device, BatchFaults.NONE);
    int planned = sinks.metrics.stream().mapToInt(BatchMetrics::plannedBatch).max().orElse(-1);
    int ooms = sinks.metrics.stream().mapToInt(BatchMetrics::ooms).sum();
    System.out.println("frames " + out + " planned " + planned + " ooms " + ooms);
  }
}
