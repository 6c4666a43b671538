package dev.facerender.cli;

import dev.facerender.cli.options.SparkOptions;
import dev.facerender.export.FrameExport;
import dev.facerender.export.VideoExport;
import dev.facerender.io.InputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code facerender export}: a run's frames as image files, one folder per clip, or ({@code --video
 * mp4}) as one MP4 per clip into the run's {@code videos/}.
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description =
        "Write a run's frames as TO/<clip>/<frame>.png (or .jpg), or with --video mp4 as one MP4"
            + " per clip into RUN/videos/; clip ids are encoded into safe names.")
final class ExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--run", required = true, description = "The --out folder of a render")
  Path run;

  @Option(names = "--to", description = "Folder to write the image files to")
  Path to;

  @Option(
      names = "--video",
      description =
          "mp4: one H.264 MP4 per clip into RUN/videos/ (with the --fps, --video-* and"
              + " --audio-* options), instead of image files")
  String video;

  @Option(
      names = "--sources",
      description =
          "With --video: the sources table whose audio or audio_path column gives each"
              + " clip's audio")
  String sources;

  @Option(
      names = "--input-format",
      description = "parquet or jsonl for --sources (default: by extension, else parquet)")
  String inputFormat;

  @Option(names = "--clip", description = "Only this clip (repeatable)")
  List<String> clips = new ArrayList<>();

  @Mixin SparkOptions sparkOptions;

  @Override
  public Integer call() {
    if (video != null && !video.equals("mp4")) {
      throw new InputException("--video " + video + " is not supported: the choice is mp4");
    }
    if ((video == null) == (to == null)) {
      throw new InputException(
          "export needs either --to DIR (image files) or --video mp4 (videos into the run)");
    }
    SparkSession spark = sparkOptions.start();
    try {
      if (video != null) {
        VideoExport.Result result =
            VideoExport.export(
                spark, run.toString(), sources, inputFormat, sparkOptions.settings(spec), clips);
        System.out.printf(
            "Wrote %d videos (%d frames) into %s%n",
            result.videos(), result.frames(), result.videosDir());
      } else {
        long written = FrameExport.export(spark, run, to, clips);
        System.out.printf("Wrote %d frames under %s%n", written, to);
      }
      return 0;
    } finally {
      spark.stop();
    }
  }
}
