package dev.facerender.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.facerender.bench.Benchmark;
import dev.facerender.bench.SizingBenchmark;
import dev.facerender.cli.options.SparkOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code facerender benchmark}: one device, one run, every speed side by side. */
@Command(
    name = "benchmark",
    mixinStandardHelpOptions = true,
    description =
        "Measure batch 1 vs the chosen batch vs a sweep, the levels, render-only vs end-to-end"
            + " frames/s (pipelined and not) and, with --simulate-gpu, sizing accuracy. Writes"
            + " OUT/benchmark.json, OUT/benchmark (Parquet) and OUT/benchmark.html. With --sizing,"
            + " measures batch sizing under --cpu-memory instead (no Spark): for each model the"
            + " seed's rule, the plan and the largest batch that fits side by side, and frames/s"
            + " and peak memory by batch size, each figure VALID or not.")
final class BenchmarkCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print the results as JSON")
  boolean json;

  @Option(
      names = "--out",
      defaultValue = "benchmark-out",
      description = "Output folder (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(
      names = "--rounds",
      defaultValue = "2",
      description = "End-to-end runs per variant; the best counts (default: ${DEFAULT-VALUE})")
  int rounds;

  @Option(
      names = "--sizing",
      split = ",",
      paramLabel = "MODEL",
      description =
          "Sizing benchmark of these models (e.g. builtin:warp,builtin:sadtalker-arch) under the"
              + " fixed CPU budget --cpu-memory, in the manner of MLPerf's offline scenario")
  List<String> sizing = new ArrayList<>();

  @Option(
      names = "--batches",
      split = ",",
      defaultValue = "1,2,4,8",
      description =
          "Sizing: batch sizes measured besides the three compared (default: ${DEFAULT-VALUE})")
  List<Integer> batches;

  @Option(
      names = "--min-frames",
      defaultValue = "8",
      description =
          "Sizing: frames each measured point renders at least (default: ${DEFAULT-VALUE})")
  long minFrames;

  @Option(
      names = "--min-seconds",
      defaultValue = "2",
      description = "Sizing: seconds each measured point runs at least (default: ${DEFAULT-VALUE})")
  double minSeconds;

  @Option(
      names = "--fit-tries",
      defaultValue = "2",
      description =
          "Sizing: runs a batch size must survive to count as fitting (default: ${DEFAULT-VALUE})")
  int fitTries;

  @Option(
      names = "--precisions",
      split = ",",
      paramLabel = "PRECISION",
      description =
          "Precision benchmark (no Spark): model-only frames/s of --model at --batch-size (default"
              + " 8) and the worst frame's PSNR against fp32, for each of fp32, tf32, bf16, fp16")
  List<String> precisions = new ArrayList<>();

  @Mixin DatasetShape shape;

  @Mixin SparkOptions sparkOptions;

  @Override
  public Integer call() throws Exception {
    if (!sizing.isEmpty()) {
      return sizing();
    }
    if (!precisions.isEmpty()) {
      return precisions();
    }
    Map<String, String> settings = sparkOptions.settings(spec);
    // The driver's GPUs on a GPU machine, lent to the local tasks as for render.
    SparkSession spark = sparkOptions.start(sparkOptions.device(settings));
    try {
      Benchmark.Result r =
          Benchmark.run(
              spark,
              new Benchmark.Request(out, shape.clips, shape.frames, shape.size, rounds, settings));
      if (json) {
        System.out.println(
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
        return 0;
      }
      System.out.printf(
          Locale.ROOT,
          "device %s, %d task slots x %d libtorch threads%n"
              + "batch 1: %.1f frames/s; best: %.1f frames/s at batch %d; chosen (%s): batch %d%n"
              + "levels: %s%n"
              + "render only (all slots): %.1f frames/s; encode: %.1f frames/s per thread%n"
              + "end to end: %s%n"
              + "end-to-end (default pipeline depth %d) / render-only: %.3f;"
              + " pipelined / sequential: %.3f; video only / PNG frames: %.3f%n",
          r.device(),
          r.concurrentTasks(),
          r.torchThreads(),
          r.batch1FramesPerSecond(),
          r.bestFramesPerSecond(),
          r.bestBatch(),
          r.level(),
          r.chosenBatch(),
          r.levels(),
          r.renderOnlyFramesPerSecond(),
          r.encodeFramesPerSecondPerThread(),
          r.endToEndFramesPerSecond(),
          r.defaultPipelineDepth(),
          r.endToEndOverRenderOnly(),
          r.pipelinedOverSequential(),
          r.videoOnlyOverPng());
      if (r.sizingAccuracy() != null) {
        System.out.printf(
            Locale.ROOT,
            "sizing: chosen %.0f%% of the largest batch that fits (%d)%n",
            100 * r.sizingAccuracy(),
            r.largestFittingBatch());
      }
      System.out.printf("Results: %s/benchmark.json, %s/benchmark.html%n", out, out);
      return 0;
    } finally {
      spark.stop();
    }
  }

  private int sizing() throws Exception {
    SizingBenchmark.Result r =
        SizingBenchmark.run(
            new SizingBenchmark.Request(
                out,
                sizing,
                shape.size,
                batches,
                minFrames,
                minSeconds,
                fitTries,
                sparkOptions.settings(spec)));
    if (json) {
      System.out.println(
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
      return 0;
    }
    System.out.printf(
        Locale.ROOT,
        "device %s, budget %.1f MiB, level %s, %d px, at least %d frames and %.1f s per point%n",
        r.device(),
        r.budgetBytes() / 1048576.0,
        r.level(),
        r.frameSize(),
        r.minFrames(),
        r.minSeconds());
    for (SizingBenchmark.ModelResult m : r.models()) {
      System.out.println(m.model());
      for (SizingBenchmark.Figure f : m.sideBySide()) {
        System.out.printf(
            Locale.ROOT,
            "  %-18s batch %4d: %8.2f frames/s, peak %8.1f MiB, %s%n",
            f.name(),
            f.batch(),
            f.measured().framesPerSecond(),
            f.measured().peakBytes() / 1048576.0,
            f.valid() ? "VALID" : "INVALID " + f.measured().note());
      }
    }
    System.out.printf("Results: %s/benchmark.json, %s/benchmark.html%n", out, out);
    return 0;
  }

  private int precisions() throws Exception {
    return PrecisionBenchmark.run(spec, precisions, shape.size, rounds, json);
  }
}
