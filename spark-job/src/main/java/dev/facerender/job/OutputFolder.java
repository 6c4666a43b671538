package dev.facerender.job;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The run's output folder on any Hadoop file system (a local path, {@code file://}, {@code
 * hdfs://}, {@code s3a://}): executors write the tables through Spark, the driver writes the run
 * files here, so a cluster needs no shared mount.
 */
final class OutputFolder {
  private final FileSystem fs;
  private final Path root;

  private OutputFolder(FileSystem fs, Path root) {
    this.fs = fs;
    this.root = root;
  }

  static OutputFolder of(SparkSession spark, String out) {
    try {
      Path path = new Path(out);
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      // Run files are whole documents written once: no .crc files beside them.
      fs.setWriteChecksum(false);
      return new OutputFolder(fs, fs.makeQualified(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The folder's URI, for messages and for Spark's writers. */
  @Override
  public String toString() {
    return root.toString();
  }

  /** A child's URI, for Spark's writers and readers. */
  String child(String name) {
    return new Path(root, name).toString();
  }

  boolean exists() {
    try {
      return fs.exists(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  boolean isEmpty() {
    try {
      FileStatus[] entries = fs.listStatus(root);
      return entries.length == 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void deleteAll() {
    try {
      fs.delete(root, true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes {@code relative} (a file) if it is there. */
  void delete(String relative) {
    try {
      fs.delete(new Path(root, relative), false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code bytes} to {@code relative}, replacing it. */
  void write(String relative, byte[] bytes) {
    try (OutputStream stream = fs.create(new Path(root, relative), true)) {
      stream.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
