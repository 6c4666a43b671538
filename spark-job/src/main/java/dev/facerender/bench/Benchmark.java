package dev.facerender.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.facerender.batch.BatchPlan;
import dev.facerender.batch.ThroughputPoint;
import dev.facerender.codec.ImageCodec;
import dev.facerender.codec.ImageDecodeException;
import dev.facerender.codec.RgbImage;
import dev.facerender.config.FacerenderConf;
import dev.facerender.config.OutputConf;
import dev.facerender.config.VideoConf;
import dev.facerender.device.sim.GpuSpec;
import dev.facerender.diagnostics.DeviceDoctor;
import dev.facerender.diagnostics.ThroughputProbe;
import dev.facerender.io.DemoDataset;
import dev.facerender.io.DemoFaces;
import dev.facerender.job.ProgressListener;
import dev.facerender.job.RenderRequest;
import dev.facerender.job.RunSummary;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.run.SparkEngine;
import dev.facerender.schedule.spark.SparkTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.SparkSession;

/**
 * One device, one run, side by side: the batch sweep (batch 1 vs the chosen batch vs the best),
 * each level's batch, render-only vs end-to-end frames/s (with and without pipelining), encoding
 * cost, and with a simulated GPU the sizing accuracy. Writes benchmark.json, a Parquet table of
 * every measurement and benchmark.html.
 */
public final class Benchmark {
  /** What to benchmark: the dataset shape, repeats of each end-to-end run, the settings. */
  public record Request(
      Path out, int clips, int frames, int size, int rounds, Map<String, String> conf) {}

  /**
   * Every number of a benchmark. Ratios are of numbers measured in this same run; end-to-end over
   * render-only uses the pipeline depth the job picks by default on this device.
   */
  public record Result(
      String device,
      int concurrentTasks,
      int torchThreads,
      String level,
      List<ThroughputPoint> sweep,
      double batch1FramesPerSecond,
      int bestBatch,
      double bestFramesPerSecond,
      int chosenBatch,
      double chosenFramesPerSecond,
      Map<String, Integer> levels,
      double renderOnlyFramesPerSecond,
      double encodeFramesPerSecondPerThread,
      Map<String, Double> endToEndFramesPerSecond,
      Map<String, Long> peakRssBytes,
      int defaultPipelineDepth,
      double endToEndOverRenderOnly,
      double pipelinedOverSequential,
      double videoOnlyOverPng,
      Integer largestFittingBatch,
      Double sizingAccuracy) {}

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Benchmark() {}

  public static Result run(SparkSession spark, Request request) {
    try {
      return measure(spark, request);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("benchmark interrupted", e);
    }
  }

  private static Result measure(SparkSession spark, Request request)
      throws IOException, InterruptedException {
    Path out = request.out();
    Files.createDirectories(out);
    SparkTopology.Slots slots = SparkTopology.slots(spark);
    int tasks = slots.concurrentTasks();
    RenderSettings settings =
        RenderSettings.from("benchmark", request.conf(), tasks, slots.tasksPerDevice());
    RgbImage sample = decode(DemoFaces.png(1, 0, request.size()));

    // The driver's GPU when the session was started with one (spark.driver.resource.gpu.*), so
    // the device measurements use the GPU the local job's tasks are given; empty: the CPU.
    Map<String, ResourceInformation> resources =
        scala.jdk.javaapi.CollectionConverters.asJava(spark.sparkContext().resources());
    DeviceDoctor.Report report = DeviceDoctor.examine(settings, sample, resources);
    List<ThroughputPoint> sweep = report.calibration().points();
    ThroughputPoint first = sweep.get(0);
    ThroughputPoint best =
        sweep.stream()
            .max((a, b) -> Double.compare(a.framesPerSecond(), b.framesPerSecond()))
            .orElseThrow();
    Map<String, Integer> levels = new LinkedHashMap<>();
    report.levels().forEach((level, plan) -> levels.put(level, plan.batch()));
    BatchPlan chosen = report.levels().get(settings.sizing().level().id());
    int chosenBatch =
        settings.sizing().batchSize() > 0 ? settings.sizing().batchSize() : chosen.batch();
    double chosenSpeed =
        sweep.stream()
            .filter(p -> p.batch() <= chosenBatch)
            .reduce((a, b) -> b)
            .map(ThroughputPoint::framesPerSecond)
            .orElse(first.framesPerSecond());

    ThroughputProbe.Throughput renderOnly =
        ThroughputProbe.renderOnly(
            settings,
            sample,
            resources,
            chosenBatch,
            tasks,
            Math.max(2, 256 / Math.max(1, chosenBatch)));
    ThroughputProbe.Throughput encode = ThroughputProbe.encodeOnly(settings, sample, 64);

    Path input = out.resolve("input");
    if (!Files.exists(input.resolve("frames"))) {
      DemoDataset.generate(
          spark, input.toString(), request.clips(), request.frames(), request.size(), 1);
    }
    int depth = settings.sizing().pipelineDepth() > 0 ? settings.sizing().pipelineDepth() : 2;
    int defaultDepth = settings.sizing().pipelineDepth() == 0 ? 0 : depth;
    // A first render warms the JVM, Spark and the per-executor calibration for both variants.
    endToEnd(spark, input, out.resolve("runs").resolve("warmup"), request.conf(), depth);
    Map<String, Double> e2e = new LinkedHashMap<>();
    Map<String, Long> rss = new LinkedHashMap<>();
    String sequential = "pipeline depth 0";
    String pipelined = "pipeline depth " + depth;
    String videoOnly = "video only (mp4, no frames), pipeline depth " + depth;
    Map<String, String> video = new HashMap<>(request.conf());
    video.put(VideoConf.VIDEO.key(), "mp4");
    video.put(OutputConf.FORMAT.key(), "none");
    for (int round = 0; round < request.rounds(); round++) {
      // Alternating the variants spreads the machine's drift over all of them.
      for (int d : new int[] {0, depth, -depth}) {
        RunSummary run =
            endToEnd(
                spark,
                input,
                out.resolve("runs").resolve("depth" + d + "-round" + round),
                d < 0 ? video : request.conf(),
                Math.abs(d));
        String key = d == 0 ? sequential : d > 0 ? pipelined : videoOnly;
        e2e.merge(key, run.framesPerSecond(), Math::max);
        rss.merge(key, run.peakRssBytes(), Math::max);
      }
    }

    Integer largest = null;
    Double accuracy = null;
    if (settings.sizing().simulateGpuBytes() > 0) {
      // Accuracy is judged for one task owning the device, where the answer is unambiguous.
      DeviceDoctor.Report alone =
          DeviceDoctor.examine(
              RenderSettings.from("benchmark", request.conf(), 1), sample, resources);
      // The level's cap bounds both: the sizer is judged on memory, not on the cap.
      largest =
          GpuSpec.of(settings.sizing().simulateGpuBytes())
              .largestFit(
                  (long) sample.width() * sample.height(), settings.sizing().effectiveMaxBatch());
      accuracy = alone.levels().get(settings.sizing().level().id()).batch() / (double) largest;
    }
    Result result =
        new Result(
            report.device(),
            tasks,
            report.torchThreads(),
            settings.sizing().level().id(),
            sweep,
            first.framesPerSecond(),
            best.batch(),
            best.framesPerSecond(),
            chosenBatch,
            chosenSpeed,
            levels,
            renderOnly.framesPerSecond(),
            encode.framesPerSecond(),
            e2e,
            rss,
            defaultDepth,
            e2e.get(defaultDepth == 0 ? sequential : pipelined) / renderOnly.framesPerSecond(),
            e2e.get(pipelined) / e2e.get(sequential),
            e2e.get(videoOnly) / e2e.get(pipelined),
            largest,
            accuracy);
    BenchmarkFiles.write(spark, result, out);
    return result;
  }

  private static RunSummary endToEnd(
      SparkSession spark, Path input, Path out, Map<String, String> conf, int depth) {
    Map<String, String> withDepth = new HashMap<>(conf);
    withDepth.put(FacerenderConf.PIPELINE_DEPTH.key(), Integer.toString(depth));
    return new SparkEngine(spark)
        .run(
            new RenderRequest(
                input.resolve("frames").toString(),
                input.resolve("sources").toString(),
                out.toString(),
                null,
                "overwrite",
                0,
                withDepth),
            ProgressListener.NONE);
  }

  private static RgbImage decode(byte[] png) {
    try {
      return ImageCodec.decode(png);
    } catch (ImageDecodeException e) {
      throw new IllegalStateException("the built-in sample face does not decode", e);
    }
  }
}
