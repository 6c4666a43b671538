package dev.facerender.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.facerender.batch.BatchPlan;
import dev.facerender.batch.ThroughputPoint;
import dev.facerender.cli.options.ConfigOptions;
import dev.facerender.codec.ImageCodec;
import dev.facerender.config.DataSize;
import dev.facerender.config.DeviceConf;
import dev.facerender.config.FacerenderConf;
import dev.facerender.device.DeviceChoice;
import dev.facerender.device.DeviceFacts;
import dev.facerender.diagnostics.DeviceDoctor;
import dev.facerender.io.DemoFaces;
import dev.facerender.model.cost.SadTalkerCost;
import dev.facerender.natives.CudaLibraries;
import dev.facerender.natives.NativesKind;
import dev.facerender.partition.task.RenderSettings;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code facerender doctor}: the device a run here takes and why, the CUDA libraries the GPU
 * natives need, then the device's memory, the model's calibration and each level's batch.
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description =
        "Check this machine: the device a run takes and why, every CUDA library the GPU natives"
            + " need (found where, which version, or what to install), memory, calibration, the"
            + " batch per level.")
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
      description = "Measure this CUDA device index, as --device cuda:N (default: --device)")
  int gpu;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Override
  public Integer call() throws Exception {
    Map<String, String> values = ConfigOptions.values(spec, Map.of());
    RenderSettings settings = RenderSettings.from("doctor", values, tasks);
    // The libraries first: they explain a GPU that cannot be used, so they are shown even then.
    CudaLibraries.Report libraries = CudaLibraries.ofThisMachine();
    DeviceFacts facts = DeviceFacts.ofThisMachine(settings.sizing().simulateGpuBytes());
    boolean gpuMachine = facts.natives() == NativesKind.GPU || facts.gpus().count() > 0;
    Map<String, Object> found = new LinkedHashMap<>();
    found.put("natives", facts.natives().name().toLowerCase(Locale.ROOT));
    found.put("gpusListed", facts.gpus());
    found.put("cudaLibraries", libraries);
    DeviceChoice choice;
    try {
      String requested = gpu >= 0 ? "cuda:" + gpu : FacerenderConf.get(DeviceConf.DEVICE, values);
      choice = DeviceChoice.decide(requested, facts);
    } catch (IllegalArgumentException e) {
      found.put("deviceError", e.getMessage());
      print(found, libraries, gpuMachine);
      throw e;
    }
    found.put("deviceChoice", Map.of("devices", choice.devices(), "reason", choice.reason()));
    print(found, libraries, gpuMachine);
    DeviceDoctor.Report report =
        DeviceDoctor.examine(
            settings,
            ImageCodec.decode(DemoFaces.png(1, 0, size)),
            choice.onGpu() ? choice.resourcesForSlot(0) : Map.of());
    if (json) {
      Map<String, Object> all = new LinkedHashMap<>();
      all.putAll(JSON.convertValue(report, new TypeReference<Map<String, Object>>() {}));
      all.putAll(found);
      System.out.println(JSON.writeValueAsString(all));
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

  /** The device decision and the libraries, before anything is measured. */
  private void print(Map<String, Object> found, CudaLibraries.Report libraries, boolean gpuMachine)
      throws Exception {
    if (json) {
      if (found.containsKey("deviceError")) {
        System.out.println(JSON.writeValueAsString(found));
      }
      return;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> choice = (Map<String, Object>) found.get("deviceChoice");
    System.out.println(
        "device choice: "
            + (choice == null ? found.get("deviceError") : choice.get("reason"))
            + " (natives: "
            + found.get("natives")
            + ")");
    long loading = libraries.libraries().stream().filter(CudaLibraries.Library::loads).count();
    System.out.printf(
        "CUDA libraries the GPU natives need (from %s): %d of %d load%n",
        libraries.neededFrom(), loading, libraries.libraries().size());
    if (!gpuMachine) {
      System.out.println("  (only the GPU natives on a GPU machine need them; --json lists each)");
      return;
    }
    int width = libraries.libraries().stream().mapToInt(l -> l.soname().length()).max().orElse(1);
    for (CudaLibraries.Library l : libraries.libraries()) {
      boolean missing = l.path().equals("missing");
      System.out.printf(
          "  %-" + width + "s  %-9s %s%n",
          l.soname(),
          missing ? "MISSING" : l.version(),
          missing
              ? CudaLibraries.installHint(l.soname())
              : l.path()
                  + " ("
                  + l.where()
                  + ")"
                  + (l.loads() ? "" : ": not on the linker's path"));
    }
    if (libraries.missing() > 0) {
      System.out.println(
          "  or point LD_LIBRARY_PATH at folders that have the missing ones (a PyTorch CUDA 13"
              + " install's site-packages/nvidia/*/lib; executors: spark.executorEnv.LD_LIBRARY_PATH)");
    }
    if (!libraries.libraryPath().isEmpty()) {
      System.out.println(
          "  to load the ones found off the linker's path: export LD_LIBRARY_PATH="
              + libraries.libraryPath()
              + ":$LD_LIBRARY_PATH (executors: spark.executorEnv.LD_LIBRARY_PATH)");
    }
  }
}
