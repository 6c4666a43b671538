package dev.facerender.partition;

import dev.facerender.device.Device;
import dev.facerender.model.BuiltinModels;
import dev.facerender.model.FrameModel;
import dev.facerender.model.Models;
import dev.facerender.partition.faults.BatchFaults;
import dev.facerender.partition.task.RenderSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Row;

/** Runs tasks' partitions through the real executor parts on a (simulated) device. */
public final class SimulatedRuns {
  private SimulatedRuns() {}

  /** One task's partition; returns what it reported. Counts the output rows into the sinks. */
  public static Fixtures.Sinks task(
      RenderSettings settings, Device device, FrameModel model, List<Row> rows) {
    Fixtures.Sinks sinks = new Fixtures.Sinks();
    PartitionRenderer renderer =
        new PartitionRenderer(
            rows.iterator(),
            settings,
            sinks,
            Fixtures.task(),
            Fixtures.on(device),
            model,
            null,
            BatchFaults.NONE,
            -1,
            null,
            null);
    try {
      while (renderer.hasNext()) {
        renderer.next();
      }
    } finally {
      renderer.close(); // as Spark's task completion listener does
    }
    return sinks;
  }

  /** {@code settings.size()} tasks at once on {@code device}, one warp model loaded once. */
  public static List<Fixtures.Sinks> concurrently(
      List<RenderSettings> settings, Device device, List<List<Row>> partitions) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(settings.size());
    try (FrameModel warp = Models.load(BuiltinModels.WARP)) {
      device.modelLoaded(BuiltinModels.WARP);
      List<Callable<Fixtures.Sinks>> tasks = new ArrayList<>();
      for (int i = 0; i < settings.size(); i++) {
        RenderSettings s = settings.get(i);
        List<Row> rows = partitions.get(i);
        tasks.add(() -> task(s, device, warp, rows));
      }
      List<Fixtures.Sinks> out = new ArrayList<>();
      for (Future<Fixtures.Sinks> done : pool.invokeAll(tasks)) {
        out.add(done.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
