package dev.facerender.sadtalker;

import dev.facerender.io.ParquetRowWriter;
import dev.facerender.io.Schemas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/** An import's two tables being written, a new part file every so many rows. */
final class ImportTables implements AutoCloseable {
  private static final long FRAME_ROWS_PER_FILE = 1_000_000;
  private static final int SOURCE_ROWS_PER_FILE = 1_000;
  private static final long ROW_GROUP_BYTES = 64L << 20;

  private final Path root;
  private final Configuration conf = new Configuration();
  private ParquetRowWriter frames;
  private ParquetRowWriter sources;
  private int frameParts;
  private int sourceParts;

  ImportTables(Path root) throws IOException {
    this.root = root;
    Files.createDirectories(root.resolve("frames"));
    Files.createDirectories(root.resolve("sources"));
  }

  long write(SadTalkerClip clip, ClipReader.ClipRows rows) {
    if (sources == null || sources.rows() >= SOURCE_ROWS_PER_FILE) {
      sources = next(sources, "sources", sourceParts++, SadTalkerImport.SOURCES, false);
    }
    sources.write(RowFactory.create(clip.clipId(), rows.crop(), rows.source()));
    if (frames == null || frames.rows() >= FRAME_ROWS_PER_FILE) {
      frames = next(frames, "frames", frameParts++, Schemas.FRAMES, true);
    }
    for (int i = 0; i < rows.frames().length; i++) {
      frames.write(RowFactory.create(clip.clipId(), i, rows.frames()[i]));
    }
    return rows.frames().length;
  }

  private ParquetRowWriter next(
      ParquetRowWriter done, String table, int part, StructType schema, boolean compressed) {
    if (done != null) {
      done.close();
    }
    String file = root.resolve(table).resolve(String.format("part-%05d.parquet", part)).toString();
    return new ParquetRowWriter(file, schema, conf, compressed, ROW_GROUP_BYTES);
  }

  @Override
  public void close() {
    try (ParquetRowWriter f = frames;
        ParquetRowWriter s = sources) {
      // closes both, the second even when the first fails
    }
  }
}
