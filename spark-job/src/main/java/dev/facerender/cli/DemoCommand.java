package dev.facerender.cli;

import dev.facerender.io.DemoDataset;
import dev.facerender.job.RenderJob;
import dev.facerender.job.RenderRequest;
import dev.facerender.job.RunSummary;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code facerender demo}: generate, then render, on local Spark. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Generate a demo dataset into DIR/input and render it into DIR/output.")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--out",
      defaultValue = "demo-out",
      description = "Folder (default: ${DEFAULT-VALUE})")
  String out;

  @Option(names = "--clips", defaultValue = "4", description = "Clips (default: ${DEFAULT-VALUE})")
  int clips;

  @Option(
      names = "--frames",
      defaultValue = "48",
      description = "Frames per clip (default: ${DEFAULT-VALUE})")
  int frames;

  @Option(
      names = "--size",
      defaultValue = "256",
      description = "Frame size in pixels (default: ${DEFAULT-VALUE})")
  int size;

  @Option(names = "--master", description = "Spark master (default: local[*])")
  String master;

  @Option(names = "--conf", description = "Spark or spark.facerender.* setting KEY=VALUE")
  Map<String, String> conf = new LinkedHashMap<>();

  @Override
  public Integer call() {
    Map<String, String> settings = ConfigOptions.values(spec, conf);
    Path root = Path.of(out).toAbsolutePath();
    String input = root.resolve("input").toString();
    String output = root.resolve("output").toString();
    SparkSession spark = Sessions.create(master, conf);
    try {
      DemoDataset.generate(spark, input, clips, frames, size, 1);
      RunSummary run =
          new RenderJob(spark)
              .run(
                  new RenderRequest(
                      input + "/frames",
                      input + "/sources",
                      output,
                      null,
                      "error-if-exists",
                      0,
                      settings),
                  new ConsoleProgress(System.err));
      RenderCommand.print(run);
      System.out.println("Look at " + output + "/report.html (sample frames, batches, timings).");
      return 0;
    } finally {
      spark.stop();
    }
  }
}
