package dev.facerender.cli;

import dev.facerender.job.FrameExport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code facerender export}: a run's frames as image files, one folder per clip. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description =
        "Write a run's frames as TO/<clip>/<frame>.png (or .jpg); clip ids are encoded into safe"
            + " folder names.")
final class ExportCommand implements Callable<Integer> {
  @Option(names = "--run", required = true, description = "The --out folder of a render")
  Path run;

  @Option(names = "--to", required = true, description = "Folder to write the image files to")
  Path to;

  @Option(names = "--clip", description = "Only this clip (repeatable)")
  List<String> clips = new ArrayList<>();

  @Mixin SparkOptions sparkOptions;

  @Override
  public Integer call() {
    SparkSession spark = sparkOptions.start();
    try {
      long written = FrameExport.export(spark, run, to, clips);
      System.out.printf("Wrote %d frames under %s%n", written, to);
      return 0;
    } finally {
      spark.stop();
    }
  }
}
