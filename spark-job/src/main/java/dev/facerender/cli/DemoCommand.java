package dev.facerender.cli;

import dev.facerender.cli.options.SparkOptions;
import dev.facerender.device.DeviceChoice;
import dev.facerender.io.DemoDataset;
import dev.facerender.job.RenderRequest;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code facerender demo}: generate, then render, on local Spark. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Generate a demo dataset into DIR/input and render it into DIR/output.")
final class DemoCommand implements Callable<Integer> {
  private static final long DEMO_SEED = 1;

  @Spec CommandSpec spec;

  @Option(
      names = "--out",
      defaultValue = "demo-out",
      description = "Folder (default: ${DEFAULT-VALUE})")
  String out;

  @Mixin DatasetShape shape;

  @Mixin SparkOptions sparkOptions;

  @Override
  public Integer call() {
    Path root = Path.of(out).toAbsolutePath();
    String input = root.resolve("input").toString();
    String output = root.resolve("output").toString();
    RenderRequest request =
        new RenderRequest(
            input + "/frames",
            input + "/sources",
            output,
            null,
            "error-if-exists",
            0,
            sparkOptions.settings(spec));
    DeviceChoice device = sparkOptions.device(request.conf());
    SparkSession spark = sparkOptions.start(device);
    try {
      DemoDataset.generate(spark, input, shape.clips, shape.frames, shape.size, DEMO_SEED);
      if (RenderCommand.render(spark, request, device).reportFailure() == null) {
        System.out.println("Look at " + output + "/report.html (sample frames, batches, timings).");
      } else {
        System.out.println("Look at " + output + "/metrics.json and run.json (timings, batches).");
      }
      return 0;
    } finally {
      spark.stop();
    }
  }
}
