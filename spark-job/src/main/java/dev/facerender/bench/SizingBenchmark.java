package dev.facerender.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.facerender.batch.BatchPlan;
import dev.facerender.codec.ImageCodec;
import dev.facerender.codec.ImageDecodeException;
import dev.facerender.codec.RgbImage;
import dev.facerender.config.FacerenderConf;
import dev.facerender.diagnostics.DeviceDoctor;
import dev.facerender.diagnostics.ModelProbe;
import dev.facerender.io.DemoFaces;
import dev.facerender.io.InputException;
import dev.facerender.model.BuiltinModels;
import dev.facerender.partition.task.RenderSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Batch sizing on the CPU under a fixed budget ({@code --cpu-memory}), in the manner of MLPerf's
 * offline scenario: seeded inputs, every measured point renders at least a minimum of frames and of
 * seconds, and each figure says whether it is VALID (both minimums met, no OOM). For each model,
 * side by side: the seed's rule (free x 0.75 / 0.15 GiB per frame), Facerender's plan at the level
 * and the largest batch that fits (found by rendering, {@link ModelProbe#largestFit}); and frames/s
 * and peak memory by batch size. Writes benchmark.json and benchmark.html.
 */
public final class SizingBenchmark {
  /** The seed's guess at one frame's memory. */
  static final long SEED_RULE_BYTES_PER_FRAME = (long) (0.15 * (1L << 30));

  /** The share of free memory the seed's rule plans for. */
  static final double SEED_RULE_SHARE = 0.75;

  /**
   * What to measure: models (specs), frame size, the batch sizes of the sweep, the minimums per
   * point, how many tries a size must survive to count as fitting, and the settings.
   */
  public record Request(
      Path out,
      List<String> models,
      int size,
      List<Integer> batches,
      long minFrames,
      double minSeconds,
      int fitTries,
      Map<String, String> conf) {
    public Request {
      models = List.copyOf(models);
      batches = List.copyOf(batches);
      conf = Map.copyOf(conf);
      if (models.isEmpty() || minFrames < 1 || minSeconds < 0 || fitTries < 1 || size < 1) {
        throw new InputException(
            "a sizing benchmark needs models, a size, minFrames >= 1, minSeconds >= 0 and"
                + " fitTries >= 1");
      }
    }
  }

  /** One batch size side by side with the others: where it came from and how it ran. */
  public record Figure(String name, int batch, boolean valid, ModelProbe.Point measured) {
    Figure(String name, int batch, ModelProbe.Point measured) {
      this(name, batch, measured.valid(), measured);
    }
  }

  /**
   * One model: the three figures (seed's rule, plan, largest fit), the sweep by batch size, the
   * search's tries and the plan's reason.
   */
  public record ModelResult(
      String model,
      String note,
      long parameters,
      double gflopsPerFrame,
      List<Figure> sideBySide,
      List<ModelProbe.Point> byBatch,
      List<ModelProbe.Trial> fitTrials,
      String planReason) {}

  /** Everything, with the conditions every number was measured under. */
  public record Result(
      String device,
      long budgetBytes,
      int torchThreads,
      String level,
      int frameSize,
      long minFrames,
      double minSeconds,
      long seed,
      List<ModelResult> models) {}

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SizingBenchmark() {}

  public static Result run(Request request) {
    RgbImage face = decode(DemoFaces.png(1, 0, request.size()));
    List<ModelResult> models = new ArrayList<>();
    RenderSettings first = null;
    DeviceDoctor.Report report = null;
    for (String model : request.models()) {
      Map<String, String> conf = new HashMap<>(request.conf());
      conf.put(FacerenderConf.MODEL.key(), model);
      RenderSettings settings = RenderSettings.from("sizing-benchmark", conf, 1);
      if (settings.sizing().cpuMemoryBytes() <= 0) {
        throw new InputException(
            "the sizing benchmark measures against a fixed CPU budget: give --cpu-memory, e.g."
                + " --cpu-memory 2GiB");
      }
      first = first == null ? settings : first;
      report = DeviceDoctor.examine(settings, face, Map.of());
      models.add(measure(request, settings, face, report));
    }
    Result result =
        new Result(
            report.device(),
            first.sizing().cpuMemoryBytes(),
            report.torchThreads(),
            first.sizing().level().id(),
            request.size(),
            request.minFrames(),
            request.minSeconds(),
            ModelProbe.SEED,
            models);
    write(result, request.out());
    return result;
  }

  private static ModelResult measure(
      Request request, RenderSettings settings, RgbImage face, DeviceDoctor.Report report) {
    BatchPlan plan = report.levels().get(settings.sizing().level().id());
    int seedRule =
        (int)
            Math.max(1, (long) (report.freeBytes() * SEED_RULE_SHARE) / SEED_RULE_BYTES_PER_FRAME);
    try (ModelProbe probe = ModelProbe.open(settings, face)) {
      ModelProbe.Fit fit =
          probe.largestFit(settings.sizing().effectiveMaxBatch(), request.fitTries());
      Map<Integer, ModelProbe.Point> points = new HashMap<>();
      TreeSet<Integer> sizes = new TreeSet<>(request.batches());
      sizes.add(plan.batch());
      sizes.add(Math.max(1, fit.largest()));
      sizes.add(seedRule);
      for (int batch : sizes) {
        points.put(
            batch,
            batch > Math.max(1, fit.largest())
                ? notRendered(batch, fit.largest())
                : probe.point(batch, request.minFrames(), request.minSeconds()));
      }
      List<Figure> figures =
          List.of(
              new Figure("seed's rule", seedRule, points.get(seedRule)),
              new Figure("Facerender's plan", plan.batch(), points.get(plan.batch())),
              new Figure(
                  "largest that fits", fit.largest(), points.get(Math.max(1, fit.largest()))));
      return new ModelResult(
          settings.network().model(),
          BuiltinModels.isSadTalkerArch(settings.network().model())
              ? BuiltinModels.SADTALKER_ARCH_NOTE
              : "",
          report.parameters(),
          report.gflopsPerFrame(),
          figures,
          sizes.stream().map(points::get).toList(),
          fit.trials(),
          plan.reason());
    }
  }

  /**
   * A size above the largest that fits is not rendered again: the search already saw a size no
   * larger fail, and a CPU batch's budget check comes only after its compute.
   */
  private static ModelProbe.Point notRendered(int batch, int largest) {
    return ModelProbe.Point.of(
        batch,
        0,
        0,
        -1,
        0,
        false,
        "not rendered: above the largest batch that fits ("
            + largest
            + "), where the search's tries ran out of memory");
  }

  private static void write(Result result, Path out) {
    try {
      Files.createDirectories(out);
      JSON.writeValue(out.resolve("benchmark.json").toFile(), result);
      Files.writeString(out.resolve("benchmark.html"), SizingReport.render(result));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static RgbImage decode(byte[] png) {
    try {
      return ImageCodec.decode(png);
    } catch (ImageDecodeException e) {
      throw new IllegalStateException("the built-in sample face does not decode", e);
    }
  }
}
