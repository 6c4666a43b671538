package dev.facerender.diagnostics;

import dev.facerender.batch.BatchPlan;
import dev.facerender.batch.BatchSizer;
import dev.facerender.batch.Calibration;
import dev.facerender.batch.HeapLimit;
import dev.facerender.batch.Level;
import dev.facerender.codec.RgbImage;
import dev.facerender.device.CudaAvailability;
import dev.facerender.device.Device;
import dev.facerender.device.DeviceKind;
import dev.facerender.model.BuiltinModels;
import dev.facerender.model.FrameModel;
import dev.facerender.model.Torch;
import dev.facerender.model.cost.SadTalkerCost;
import dev.facerender.partition.RenderPartitionFunction;
import dev.facerender.partition.faults.BatchFaults;
import dev.facerender.partition.frame.ClipSource;
import dev.facerender.partition.frame.PendingFrame;
import dev.facerender.partition.plan.TaskCalibration;
import dev.facerender.partition.render.BatchRenderer;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.runtime.DeviceState;
import dev.facerender.runtime.ExecutorRuntime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.resource.ResourceInformation;

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
      long parameters,
      double gflopsPerFrame,
      String modelNote,
      int frameWidth,
      int frameHeight,
      Calibration calibration,
      Map<String, BatchPlan> levels) {}

  private DeviceDoctor() {}

  /**
   * Measures the device {@code resources} name (Spark's form: {@code gpu -> addresses}; empty for
   * the CPU), as a task given them would use it.
   */
  public static Report examine(
      RenderSettings settings, RgbImage sample, Map<String, ResourceInformation> resources) {
    int threads = Torch.configureThreads(settings.effectiveTorchThreads());
    DeviceState state =
        ExecutorRuntime.ofThisJvm().on(RenderPartitionFunction.taskDevice(settings, resources));
    Device device = state.device();
    int coeffCount = settings.network().coeffCount() > 0 ? settings.network().coeffCount() : 70;
    try (LoadedNetwork network = LoadedNetwork.onto(settings, device)) {
      FrameModel model = network.model();
      // After the weights: they are resident, not free (and not in any batch's peak either).
      long free = device.plannableBytes();
      ClipSource source =
          new ClipSource(
              "doctor", sample, model.takesSourceCoeffs() ? new float[coeffCount] : null);
      PendingFrame frame =
          new PendingFrame(
              "doctor", 0, new float[coeffCount * settings.network().windowWidth()], source);
      Calibration calibration;
      // At the run's level, not the extreme one: the doctor never runs a batch the run's plan
      // would not (a calibration bisecting near 98% of an H200 died inside cuDNN, not in an OOM).
      try (BatchRenderer renderer =
          new BatchRenderer(model, network.enhancer(), state, settings, BatchFaults.NONE)) {
        calibration =
            TaskCalibration.measure(
                renderer,
                frame,
                settings.sizing().effectiveMaxBatch(),
                (long) (free * settings.sizing().effectiveMemoryFraction()));
      } finally {
        source.release();
      }
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
                    settings.slots().tasksPerDevice(),
                    level.memoryFraction(),
                    calibration.perFrameBytes(),
                    calibration.fixedBytes(),
                    cap,
                    calibration.points(),
                    HeapLimit.NONE,
                    level.speedTolerance(),
                    device.kind() == DeviceKind.CPU)));
      }
      return new Report(
          device.id(),
          device.kind().name(),
          CudaAvailability.runtimeLoads(),
          free,
          device.totalBytes(),
          threads,
          settings.network().model(),
          model.parameterCount(),
          gflopsPerFrame(settings.network().model(), sample),
          BuiltinModels.isSadTalkerArch(settings.network().model())
              ? BuiltinModels.SADTALKER_ARCH_NOTE
              : "",
          sample.width(),
          sample.height(),
          calibration,
          levels);
    }
  }

  /** Analytic GFLOPs per frame (2 x multiply-adds) where the model's are known, else -1. */
  static double gflopsPerFrame(String spec, RgbImage sample) {
    if (!BuiltinModels.isSadTalkerArch(spec)) {
      return -1;
    }
    double width = BuiltinModels.sadTalkerWidth(spec);
    return 2.0 * SadTalkerCost.macsPerFrame(width, sample.height(), sample.width()) / 1e9;
  }
}
