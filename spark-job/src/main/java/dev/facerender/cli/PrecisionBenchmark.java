package dev.facerender.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.facerender.cli.options.ConfigOptions;
import dev.facerender.codec.ImageCodec;
import dev.facerender.config.Precision;
import dev.facerender.device.DeviceChoice;
import dev.facerender.diagnostics.PrecisionSweep;
import dev.facerender.io.DemoFaces;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.runtime.ExecutorRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code benchmark --precisions}: one model's speed and frames at each precision, side by side. */
final class PrecisionBenchmark {
  private PrecisionBenchmark() {}

  /**
   * Model-only frames/s and the worst frame's PSNR against fp32 for each of {@code precisions}, on
   * the device {@code --device} chose, at {@code size} px over {@code rounds} rounds.
   */
  static int run(CommandSpec spec, List<String> precisions, int size, int rounds, boolean json)
      throws Exception {
    List<Precision> asked = new ArrayList<>();
    for (String precision : precisions) {
      try {
        asked.add(Precision.parse(precision));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--precisions: " + e.getMessage(), e);
      }
    }
    RenderSettings settings =
        RenderSettings.from("benchmark", ConfigOptions.values(spec, Map.of()), 1);
    int batch = settings.sizing().batchSize() > 0 ? settings.sizing().batchSize() : 8;
    int coeffs = settings.network().coeffCount() > 0 ? settings.network().coeffCount() : 70;
    List<PrecisionSweep.Row> rows =
        PrecisionSweep.run(
            settings.network().model(),
            // The device --device chose (a simulated GPU with --simulate-gpu), its first GPU.
            ExecutorRuntime.ofThisJvm()
                .devices()
                .forTask(
                    settings.sizing().simulateGpuBytes(),
                    1,
                    0,
                    DeviceChoice.of(ConfigOptions.values(spec, Map.of())).resourcesForSlot(0)),
            ImageCodec.decode(DemoFaces.png(1, 0, size)),
            coeffs,
            settings.network().windowWidth(),
            batch,
            Math.max(2, rounds),
            // --torch-threads, else every core: the sweep is the machine's only task.
            settings.effectiveTorchThreads(),
            asked);
    if (json) {
      System.out.println(
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(rows));
      return 0;
    }
    System.out.printf(
        Locale.ROOT,
        "%s, batch %d at %d px, model only%n",
        settings.network().model(),
        batch,
        size);
    for (PrecisionSweep.Row row : rows) {
      System.out.printf(
          Locale.ROOT,
          "  %-5s %10.1f frames/s  worst frame %s%n",
          row.precision(),
          row.framesPerSecond(),
          !row.error().isEmpty()
              ? "not run: " + row.error()
              : Double.isInfinite(row.worstPsnrDb())
                  ? "identical to fp32"
                  : String.format(Locale.ROOT, "%.1f dB PSNR vs fp32", row.worstPsnrDb()));
    }
    return 0;
  }
}
