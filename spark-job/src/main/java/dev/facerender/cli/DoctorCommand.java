package dev.facerender.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.facerender.batch.BatchPlan;
import dev.facerender.batch.ThroughputPoint;
import dev.facerender.codec.ImageCodec;
import dev.facerender.config.DataSize;
import dev.facerender.device.Devices;
import dev.facerender.io.DemoFaces;
import dev.facerender.model.SadTalkerCost;
import dev.facerender.partition.DeviceDoctor;
import dev.facerender.partition.RenderSettings;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code facerender doctor}: devices, memory, the model's calibration, each level's batch. */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = "Measure this machine: device, memory, calibration, the batch per level.")
final class DoctorCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print JSON")
  boolean json;

  @Option(
      names = "--size",
      defaultValue = "256",
      description = "Frame size to calibrate at (default: ${DEFAULT-VALUE})")
  int size;

  @Option(
      names = "--tasks",
      defaultValue = "1",
      description = "Concurrent tasks sharing the device (default: ${DEFAULT-VALUE})")
  int tasks;

  @Option(
      names = "--gpu",
      defaultValue = "-1",
      description = "Measure this CUDA device index (default: the CPU)")
  int gpu;

  @Override
  public Integer call() throws Exception {
    RenderSettings settings =
        RenderSettings.from("doctor", ConfigOptions.values(spec, Map.of()), tasks);
    DeviceDoctor.Report report =
        DeviceDoctor.examine(
            settings, ImageCodec.decode(DemoFaces.png(1, 0, size)), Devices.gpu(gpu));
    if (json) {
      System.out.println(
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
      return 0;
    }
    System.out.printf(
        Locale.ROOT,
        "device %s (%s), CUDA runtime %s, torch threads %d%n",
        report.device(),
        report.kind(),
        report.cudaRuntime() ? "loaded" : "absent",
        report.torchThreads());
    System.out.printf(
        "memory: %s free of %s%n",
        DataSize.format(report.freeBytes()), DataSize.format(report.totalBytes()));
    System.out.printf(
        Locale.ROOT,
        "model %s: %,d parameters%s%s%n",
        report.model(),
        report.parameters(),
        report.gflopsPerFrame() < 0
            ? ""
            : String.format(
                Locale.ROOT,
                ", %.1f GFLOPs per frame at %dx%d (SadTalker's renderer: %,d parameters, %.1f"
                    + " GFLOPs per frame, counted from its modules)",
                report.gflopsPerFrame(),
                report.frameWidth(),
                report.frameHeight(),
                SadTalkerCost.parameters(1.0),
                2.0
                    * SadTalkerCost.macsPerFrame(1.0, report.frameHeight(), report.frameWidth())
                    / 1e9),
        report.modelNote().isEmpty() ? "" : "\n  " + report.modelNote());
    System.out.printf(
        "model %s at %dx%d: fixed %s + %s per frame (%s)%n",
        report.model(),
        report.frameWidth(),
        report.frameHeight(),
        DataSize.format(report.calibration().fixedBytes()),
        DataSize.format(report.calibration().perFrameBytes()),
        report.calibration().measured() ? "measured peaks" : "estimated from tensor sizes");
    for (ThroughputPoint p : report.calibration().points()) {
      System.out.printf(
          Locale.ROOT,
          "  batch %4d: %8.1f frames/s, peak %s%n",
          p.batch(),
          p.framesPerSecond(),
          DataSize.format(p.peakBytes()));
    }
    for (Map.Entry<String, BatchPlan> level : report.levels().entrySet()) {
      System.out.printf(
          "level %-8s batch %4d  (%s)%n",
          level.getKey(), level.getValue().batch(), level.getValue().reason());
    }
    return 0;
  }
}
