package dev.facerender.partition;

import dev.facerender.batch.BatchPlan;
import dev.facerender.batch.BatchSizer;
import dev.facerender.batch.Calibration;
import dev.facerender.batch.Level;
import dev.facerender.codec.RgbImage;
import dev.facerender.device.Device;
import dev.facerender.device.DeviceBudget;
import dev.facerender.device.Devices;
import dev.facerender.model.FrameEnhancer;
import dev.facerender.model.FrameModel;
import dev.facerender.model.Models;
import dev.facerender.model.Torch;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the executor side sees on this machine: the device, its memory, the model's calibration on
 * it and the batch each level would plan, with the reason.
 */
public final class DeviceDoctor {
  /** The findings, ready to print or to serialise. */
  public record Report(
      String device,
      String kind,
      boolean cudaRuntime,
      long freeBytes,
      long totalBytes,
      int torchThreads,
      String model,
      int frameWidth,
      int frameHeight,
      Calibration calibration,
      Map<String, BatchPlan> levels) {}

  private DeviceDoctor() {}

  public static Report examine(RenderSettings settings, RgbImage sample) {
    int threads = Torch.configureThreads(settings.effectiveTorchThreads());
    Device device =
        Devices.forTask(settings.simulateGpuBytes(), settings.cpuMemoryFraction(), Map.of());
    long free = DeviceBudget.of(device).capacity();
    int coeffCount = settings.coeffCount() > 0 ? settings.coeffCount() : 70;
    try (FrameModel model = Models.load(settings.model());
        FrameEnhancer enhancer =
            settings.hasEnhancer() ? Models.loadEnhancer(settings.enhancer()) : null;
        ClipSource source =
            new ClipSource(
                "doctor", sample, model.takesSourceCoeffs() ? new float[coeffCount] : null)) {
      PendingFrame frame =
          new PendingFrame("doctor", 0, new float[coeffCount * settings.windowWidth()], source);
      BatchRenderer renderer =
          new BatchRenderer(model, enhancer, device, settings, new OomInjector(0, 0, 0, 0));
      Calibration calibration =
          BatchPlanner.measure(
              renderer,
              frame,
              Level.EXTREME.maxBatch(),
              (long) (free * Level.EXTREME.memoryFraction()));
      Map<String, BatchPlan> levels = new LinkedHashMap<>();
      for (Level level : Level.values()) {
        int cap = level.maxBatch();
        if (calibration.smallestOom() > 0) {
          cap = Math.min(cap, calibration.smallestOom() - 1);
        }
        levels.put(
            level.id(),
            BatchSizer.plan(
                new BatchSizer.Input(
                    free,
                    device.totalBytes(),
                    0,
                    settings.concurrentTasks(),
                    level.memoryFraction(),
                    calibration.perFrameBytes(),
                    calibration.fixedBytes(),
                    cap,
                    calibration.points())));
      }
      return new Report(
          device.id(),
          device.kind().name(),
          Devices.cudaRuntimeLoads(),
          free,
          device.totalBytes(),
          threads,
          settings.model(),
          sample.width(),
          sample.height(),
          calibration,
          levels);
    }
  }
}
