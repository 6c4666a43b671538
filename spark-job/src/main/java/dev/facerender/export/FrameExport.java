package dev.facerender.export;

import dev.facerender.codec.ImageCodec;
import dev.facerender.io.InputException;
import dev.facerender.io.SafeNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Writes a run's frames as image files, {@code TO/<clip>/<frame>.png}, for tools that want files.
 * Folder names come from {@link SafeNames}: a clip id never becomes a path.
 */
public final class FrameExport {
  private FrameExport() {}

  /** Exports the frames of {@code clips} (all when empty); returns how many files were written. */
  public static long export(SparkSession spark, Path run, Path to, List<String> clips) {
    Path frames = run.resolve("frames");
    if (!Files.isDirectory(frames)) {
      throw new InputException(
          "No frames table at " + frames + ": pass the --out folder of a finished render");
    }
    Dataset<Row> table = spark.read().parquet(frames.toString());
    if (!clips.isEmpty()) {
      table = table.filter(table.col("clip_id").isin(clips.toArray()));
    }
    long written = 0;
    try {
      Path root = to.toAbsolutePath().normalize();
      Iterator<Row> rows = table.toLocalIterator();
      while (rows.hasNext()) {
        Row row = rows.next();
        Path folder = root.resolve(SafeNames.of(row.getAs("clip_id")));
        // SafeNames makes this impossible; the check keeps it so if that ever changes.
        if (!root.equals(folder.normalize().getParent())) {
          throw new IllegalStateException("clip folder escaped the export root: " + folder);
        }
        Files.createDirectories(folder);
        String format = row.getAs("format");
        byte[] image = row.getAs("image");
        if (format.equals("raw")) {
          int width = row.getAs("width");
          int height = row.getAs("height");
          image = ImageCodec.encodePng(ImageCodec.wrapRgb(image, width, height), 1);
          format = "png";
        }
        String name =
            String.format("%06d.%s", row.<Integer>getAs("frame_index"), extension(format));
        Files.write(folder.resolve(name), image);
        written++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return written;
  }

  private static String extension(String format) {
    return format.equals("jpeg") ? "jpg" : format;
  }
}
