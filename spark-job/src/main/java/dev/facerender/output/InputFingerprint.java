package dev.facerender.output;

import static java.util.Objects.requireNonNull;

import dev.facerender.io.InputException;
import dev.facerender.io.NioLocalFileSystem;
import dev.facerender.io.Schemas;
import dev.facerender.io.Tables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * What a resumed run must find unchanged in one input table: its files (path under the table and
 * size; hidden files such as {@code _SUCCESS} and {@code .crc} excluded) and its schema.
 */
public record InputFingerprint(String path, Map<String, Long> files, String schema) {
  public InputFingerprint {
    requireNonNull(path, "path is null");
    files = Map.copyOf(files);
    requireNonNull(schema, "schema is null");
  }

  public static InputFingerprint of(SparkSession spark, String path, StructType schema) {
    return of(spark.sparkContext().hadoopConfiguration(), path, schema);
  }

  public static InputFingerprint of(Configuration conf, String path, StructType schema) {
    try {
      Path root = new Path(path);
      FileSystem fs = NioLocalFileSystem.fileSystemFor(root, conf);
      Path qualified = fs.makeQualified(root);
      Map<String, Long> files = new TreeMap<>();
      collect(fs, fs.getFileStatus(qualified), qualified.toUri().getPath(), files);
      return new InputFingerprint(path, files, Schemas.simpleString(schema));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Adds {@code entry}'s files (recursively) to {@code files}. A walk over {@code listStatus}, not
   * {@code listFiles}: the latter copies each status, which on the local file system without
   * Hadoop's native library runs {@code ls -ld} per file for owner and mode nobody reads here.
   */
  private static void collect(
      FileSystem fs, FileStatus entry, String prefix, Map<String, Long> files) throws IOException {
    if (entry.isDirectory()) {
      for (FileStatus child : fs.listStatus(entry.getPath())) {
        collect(fs, child, prefix, files);
      }
      return;
    }
    String name = entry.getPath().getName();
    if (Tables.isHidden(name)) {
      return;
    }
    String relative = entry.getPath().toUri().getPath().substring(prefix.length());
    files.put(relative.isEmpty() ? name : relative, entry.getLen());
  }

  /** Throws an {@link InputException} naming what changed since {@code before}. */
  public void checkUnchanged(String table, InputFingerprint before, String out) {
    List<String> changes = new ArrayList<>();
    if (!schema.equals(before.schema)) {
      changes.add("schema was " + before.schema + ", is " + schema);
    }
    before.files.forEach(
        (file, size) -> {
          Long now = files.get(file);
          if (now == null) {
            changes.add(file + " is gone");
          } else if (!now.equals(size)) {
            changes.add(file + " was " + size + " bytes, is " + now);
          }
        });
    files.keySet().stream()
        .filter(file -> !before.files.containsKey(file))
        .forEach(file -> changes.add(file + " is new"));
    if (!changes.isEmpty()) {
      int shown = Math.min(5, changes.size());
      throw new InputException(
          "Cannot resume into "
              + out
              + ": the "
              + table
              + " table "
              + path
              + " changed since the run started ("
              + String.join("; ", changes.subList(0, shown))
              + (changes.size() > shown ? "; " + (changes.size() - shown) + " more" : "")
              + "). Resume needs the same input: restore it, or start over with --mode overwrite.");
    }
  }
}
