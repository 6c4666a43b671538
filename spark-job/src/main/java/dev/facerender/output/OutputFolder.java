package dev.facerender.output;

import dev.facerender.io.NioLocalFileSystem;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.spark.sql.SparkSession;

/**
 * The run's output folder on any Hadoop file system (a local path, {@code file://}, {@code
 * hdfs://}, {@code s3a://}): executors write the tables through Spark, the driver writes the run
 * files here, so a cluster needs no shared mount. Paths are relative to the folder.
 */
public final class OutputFolder {
  private final FileSystem fs;
  private final Path root;

  private OutputFolder(FileSystem fs, Path root) {
    this.fs = fs;
    this.root = root;
  }

  public static OutputFolder of(SparkSession spark, String out) {
    return of(spark.sparkContext().hadoopConfiguration(), out);
  }

  public static OutputFolder of(Configuration conf, String out) {
    try {
      Path path = new Path(out);
      FileSystem fs = NioLocalFileSystem.fileSystemFor(path, conf);
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
  public String child(String name) {
    return new Path(root, name).toString();
  }

  public boolean exists() {
    return exists(".");
  }

  public boolean exists(String relative) {
    try {
      return fs.exists(path(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Names in {@code relative} (empty when it is missing). */
  public List<String> list(String relative) {
    List<String> names = new ArrayList<>();
    try {
      for (FileStatus entry : fs.listStatus(path(relative))) {
        names.add(entry.getPath().getName());
      }
    } catch (FileNotFoundException e) {
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  /** Each file in {@code relative} by name, with its length (empty when it is missing). */
  public Map<String, Long> sizes(String relative) {
    Map<String, Long> sizes = new TreeMap<>();
    try {
      for (FileStatus entry : fs.listStatus(path(relative))) {
        if (entry.isFile()) {
          sizes.put(entry.getPath().getName(), entry.getLen());
        }
      }
    } catch (FileNotFoundException e) {
      return sizes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sizes;
  }

  /** Deletes {@code relative} (a file or a whole folder) if it is there. */
  public void delete(String relative) {
    try {
      fs.delete(path(relative), true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Moves {@code from} to {@code to}, creating {@code to}'s folder; fails if nothing moved. */
  public void rename(String from, String to) {
    try {
      Path target = path(to);
      fs.mkdirs(target.getParent());
      if (!fs.rename(path(from), target)) {
        throw new IOException("could not move " + path(from) + " to " + target);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code bytes} to {@code relative}, replacing it. */
  void write(String relative, byte[] bytes) {
    try (OutputStream stream = fs.create(path(relative), true)) {
      stream.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes {@code bytes} to a temporary file beside {@code relative}, then moves it into place, so
   * a reader sees the old document or the new one, never half of one. Local folders move
   * atomically; other file systems delete the old file first (HDFS and object stores have no
   * replacing rename in the public API), a window in which the file is missing but never torn.
   */
  public void writeAtomically(String relative, byte[] bytes) {
    String temp = relative + "." + UUID.randomUUID() + ".tmp";
    write(temp, bytes);
    try {
      java.io.File local = localFile(relative);
      if (local != null) {
        Files.move(
            localFile(temp).toPath(),
            local.toPath(),
            StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
        return;
      }
      fs.delete(path(relative), false);
      if (!fs.rename(path(temp), path(relative))) {
        throw new IOException("could not move " + path(temp) + " to " + path(relative));
      }
    } catch (IOException e) {
      delete(temp);
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Creates {@code relative} with {@code bytes} only if no file is there; false if one is. Local
   * folders create exclusively (O_EXCL); other file systems through {@code create(overwrite =
   * false)}, which HDFS's name node makes atomic.
   */
  boolean createExclusively(String relative, byte[] bytes) {
    try {
      java.io.File local = localFile(relative);
      if (local != null) {
        Files.createDirectories(local.toPath().getParent());
        try {
          Files.write(local.toPath(), bytes, java.nio.file.StandardOpenOption.CREATE_NEW);
        } catch (FileAlreadyExistsException e) {
          return false;
        }
        return true;
      }
      try (OutputStream stream = fs.create(path(relative), false)) {
        stream.write(bytes);
      } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
        return false;
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bytes of {@code relative}, or null when it is missing. */
  public byte[] read(String relative) {
    try (InputStream in = fs.open(path(relative))) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      in.transferTo(bytes);
      return bytes.toByteArray();
    } catch (FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Total bytes of the files under {@code relative}. */
  long size(String relative) {
    try {
      return fs.getContentSummary(path(relative)).getLength();
    } catch (FileNotFoundException e) {
      return 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path path(String relative) {
    return relative.equals(".") ? root : new Path(root, relative);
  }

  /** The local file behind {@code relative}, or null when the folder is not on a local disk. */
  private java.io.File localFile(String relative) {
    FileSystem raw = fs instanceof LocalFileSystem local ? local.getRaw() : fs;
    return raw instanceof RawLocalFileSystem local ? local.pathToFile(path(relative)) : null;
  }
}
