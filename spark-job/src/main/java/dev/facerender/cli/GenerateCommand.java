package dev.facerender.cli;

import dev.facerender.io.DemoDataset;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code facerender generate}: a synthetic frame dataset. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = "Write a synthetic dataset: DIR/frames and DIR/sources in Parquet.")
final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, description = "Output folder")
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
      description = "Source size in pixels (default: ${DEFAULT-VALUE})")
  int size;

  @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--master", description = "Spark master (default: local[*])")
  String master;

  @Override
  public Integer call() {
    SparkSession spark = Sessions.create(master, Map.of());
    try {
      DemoDataset.Written written = DemoDataset.generate(spark, out, clips, frames, size, seed);
      System.out.printf(
          "Wrote %d clips, %d frames to %s/frames and %s/sources%n",
          written.clips(), written.frames(), out, out);
      return 0;
    } finally {
      spark.stop();
    }
  }
}
