package dev.facerender.io;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;

/**
 * Hadoop's local file system, but permissions are set through {@code java.nio}. Without Hadoop's
 * native library (not shipped here) every file and folder Hadoop creates gets its mode from a
 * {@code chmod} child process: about 40 in a small local run, each a process spawn from a JVM of a
 * few hundred megabytes, on the run's critical path. The mode set is the same; the sticky bit,
 * which {@code java.nio} cannot set, still goes through Hadoop's own code. Checksums are read where
 * present, not written.
 */
public final class NioLocalFileSystem extends LocalFileSystem {
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  public NioLocalFileSystem() {
    super(new NioRawLocalFileSystem());
    // No .crc file beside each file, as in the Spark engine's output (OutputFolder): Parquet pages
    // carry their own checksums, and run files are whole documents written once.
    setWriteChecksum(false);
  }

  /**
   * A Hadoop configuration whose {@code file:} paths use this class. Its instances are not cached:
   * Hadoop's cache is keyed by scheme and user, not configuration, so a cached instance made from
   * another configuration would be handed back instead (and skipping the cache also skips the user
   * login the cache key needs).
   */
  public static Configuration configuration() {
    Configuration conf = new Configuration();
    conf.setClass("fs.file.impl", NioLocalFileSystem.class, FileSystem.class);
    conf.setBoolean("fs.file.impl.disable.cache", true);
    return conf;
  }

  /**
   * The file system of {@code path}: for a local path under a {@link #configuration()}, an instance
   * of this class made directly. Hadoop's lookup ({@code Path.getFileSystem}) first instantiates
   * every file system on the class path, once per process: the view file system's constructor logs
   * the user in and HDFS's adds its defaults to every configuration, ~0.2 s before a local run can
   * list its input.
   */
  public static FileSystem fileSystemFor(Path path, Configuration conf) throws IOException {
    if (!isLocal(path, conf)) {
      return path.getFileSystem(conf);
    }
    NioLocalFileSystem fs = new NioLocalFileSystem();
    fs.initialize(URI.create("file:///"), conf);
    return fs;
  }

  /** {@code file} for Parquet's readers, through {@code java.nio} when local (as above). */
  public static InputFile inputFileFor(Path file, Configuration conf) throws IOException {
    return isLocal(file, conf)
        ? new LocalInputFile(localPath(file))
        : HadoopInputFile.fromPath(file, conf);
  }

  /** {@code file} for Parquet's writers; a local one's folders are made first, as Hadoop does. */
  public static OutputFile outputFileFor(Path file, Configuration conf) throws IOException {
    if (!isLocal(file, conf)) {
      return HadoopOutputFile.fromPath(file, conf);
    }
    java.nio.file.Path local = localPath(file);
    if (local.getParent() != null) {
      Files.createDirectories(local.getParent());
    }
    return new LocalOutputFile(local);
  }

  private static boolean isLocal(Path path, Configuration conf) {
    String scheme = path.toUri().getScheme();
    if (scheme == null) {
      scheme = FileSystem.getDefaultUri(conf).getScheme();
    }
    return "file".equals(scheme)
        && NioLocalFileSystem.class.getName().equals(conf.get("fs.file.impl"));
  }

  private static java.nio.file.Path localPath(Path path) {
    return java.nio.file.Path.of(path.toUri().getPath());
  }

  private static final class NioRawLocalFileSystem extends RawLocalFileSystem {
    /** The nine mode bits from the highest (owner read) to the lowest (others execute). */
    private static final PosixFilePermission[] MODE_ORDER = {
      PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_EXECUTE
    };

    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      if (!POSIX || permission.getStickyBit()) {
        super.setPermission(p, permission);
        return;
      }
      Set<PosixFilePermission> modes = EnumSet.noneOf(PosixFilePermission.class);
      int bits = permission.toShort();
      for (int i = 0; i < MODE_ORDER.length; i++) {
        if ((bits & (1 << (MODE_ORDER.length - 1 - i))) != 0) {
          modes.add(MODE_ORDER[i]);
        }
      }
      Files.setPosixFilePermissions(pathToFile(p).toPath(), modes);
    }
  }
}
