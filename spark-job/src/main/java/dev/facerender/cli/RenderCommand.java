package dev.facerender.cli;

import dev.facerender.cli.options.SparkOptions;
import dev.facerender.device.DeviceChoice;
import dev.facerender.job.RenderRequest;
import dev.facerender.job.RunSummary;
import dev.facerender.natives.TorchNatives;
import dev.facerender.run.EngineChoice;
import dev.facerender.run.SparkEngine;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code facerender render}: the Spark job. */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = "Render frames: DIR/frames, DIR/metrics, DIR/errors, run.json, report.html.")
final class RenderCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--frames", required = true, description = "Frames table (Parquet or JSONL)")
  String frames;

  @Option(names = "--sources", required = true, description = "Sources table (Parquet or JSONL)")
  String sources;

  @Option(names = "--out", required = true, description = "Output folder")
  String out;

  @Option(
      names = "--input-format",
      description = "parquet or jsonl (default: by extension, else parquet)")
  String inputFormat;

  @Option(
      names = "--mode",
      defaultValue = "error-if-exists",
      description =
          "error-if-exists, overwrite, append (add new clips to a finished run) or resume"
              + " (continue a run that stopped) (default: ${DEFAULT-VALUE})")
  String mode;

  @Option(
      names = "--partitions",
      defaultValue = "0",
      description = "Partitions; 0 = min(clips, 2 x default parallelism)")
  int partitions;

  @Option(
      names = "--engine",
      defaultValue = "auto",
      description =
          "auto, local or spark. local renders on this machine without starting Spark (same"
              + " executor code, tables, waves, modes and checks); auto takes it for a local"
              + " master, Parquet input, no spark.* settings and no injected task failures, else"
              + " Spark (default: ${DEFAULT-VALUE})")
  String engine;

  @Mixin SparkOptions sparkOptions;

  private static final Logger LOG = LoggerFactory.getLogger(RenderCommand.class);
  // Process fact: the natives load once per JVM, whatever command asked first.
  private static final AtomicBoolean NATIVES_STARTED = new AtomicBoolean();

  /**
   * Starts loading libtorch's native libraries in the background, once per JVM: they take a second
   * or more, which overlaps the parsing, the input's footers and (on the Spark engine) the
   * session's start. {@link Main} calls it before parsing a render.
   */
  static void preloadNatives() {
    if (!NATIVES_STARTED.compareAndSet(false, true)) {
      return;
    }
    Thread natives =
        new Thread(
            () -> {
              try {
                TorchNatives.load();
              } catch (RuntimeException | LinkageError e) {
                // Only a head start: the model check loads them again on the command's thread and
                // fails the run there, saying what is wrong in its words. Told once at debug, so
                // a broken install is not reported twice.
                LOG.debug(
                    "Loading libtorch ahead of the render failed; the model check retries", e);
              }
            },
            "facerender-load-libtorch");
    natives.setDaemon(true);
    natives.start();
  }

  @Override
  public Integer call() {
    preloadNatives();
    RenderRequest request =
        new RenderRequest(
            frames, sources, out, inputFormat, mode, partitions, sparkOptions.settings(spec));
    DeviceChoice device = sparkOptions.device(request.conf());
    EngineChoice choice;
    try {
      choice =
          EngineChoice.decide(
              engine, request, sparkOptions.master(), sparkOptions.sparkSettings(), device);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (choice instanceof EngineChoice.Refused refused) {
      throw new ParameterException(
          spec.commandLine(),
          "--engine local cannot run this: " + refused.reason() + ". Use --engine spark.");
    }
    if (choice instanceof EngineChoice.Local local) {
      report(local.engine().run(new ConsoleProgress(System.err)));
      return 0;
    }
    SparkSession spark = sparkOptions.start(device);
    try {
      render(spark, request, device);
      return 0;
    } finally {
      spark.stop();
    }
  }

  /**
   * Runs {@code request} with a console progress bar and prints what it did; {@code device} is
   * where a local master's tasks render (null on a cluster).
   */
  static RunSummary render(SparkSession spark, RenderRequest request, DeviceChoice device) {
    return report(new SparkEngine(spark, device).run(request, new ConsoleProgress(System.err)));
  }

  private static RunSummary report(RunSummary run) {
    System.out.printf(
        Locale.ROOT,
        "Rendered %d of %d frames (%d rejected) in %.1f s: %.1f frames/s, %d batches, %d OOMs,"
            + " %d splits%n",
        run.renderedFrames(),
        run.inputFrames(),
        run.errorFrames(),
        run.renderWallNanos() / 1e9,
        run.framesPerSecond(),
        run.batchCount(),
        run.ooms(),
        run.splits());
    System.out.println("Device: " + run.deviceReason());
    if (run.reportFailure() == null) {
      System.out.printf("Output: %s/{frames,metrics,errors}, run.json, report.html%n", run.out());
    } else {
      System.out.printf(
          "Output: %s/{frames,metrics,errors}, run.json; no report.html (%s)%n",
          run.out(), run.reportFailure());
    }
    return run;
  }
}
