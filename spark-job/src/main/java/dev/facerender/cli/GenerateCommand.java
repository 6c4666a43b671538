package dev.facerender.cli;

import dev.facerender.cli.options.SparkOptions;
import dev.facerender.io.DemoDataset;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code facerender generate}: a synthetic frame dataset. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = "Write a synthetic dataset: DIR/frames and DIR/sources (Parquet or JSON Lines).")
final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, description = "Output folder")
  String out;

  @Mixin DatasetShape shape;

  @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--format",
      defaultValue = "parquet",
      description = "parquet or jsonl (images as base64 text) (default: ${DEFAULT-VALUE})")
  String format;

  @Option(
      names = "--bad-fraction",
      defaultValue = "0",
      description =
          "Fraction of frame rows given a NaN coefficient, spread evenly (default: ${DEFAULT-VALUE})")
  double badFraction;

  @Mixin SparkOptions sparkOptions;

  @Override
  public Integer call() {
    SparkSession spark = sparkOptions.start();
    try {
      DemoDataset.Written written =
          DemoDataset.generate(
              spark, out, shape.clips, shape.frames, shape.size, seed, format, badFraction);
      System.out.printf(
          "Wrote %d clips, %d frames (%d bad) to %s/frames and %s/sources%n",
          written.clips(), written.frames(), written.badFrames(), out, out);
      return 0;
    } finally {
      spark.stop();
    }
  }
}
