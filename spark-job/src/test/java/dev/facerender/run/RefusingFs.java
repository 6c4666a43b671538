package dev.facerender.run;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;
import org.apache.spark.sql.SparkSession;

/**
 * The local file system under {@code refusefs://}, full for report files: creating any file whose
 * name starts with {@code report.html} fails as a full disk does, with ENOSPC's text ("No space
 * left on device", strerror(28) in glibc), which the JDK puts in the IOException it throws.
 */
public final class RefusingFs extends RawLocalFileSystem {
  static void register(SparkSession spark) {
    spark.sparkContext().hadoopConfiguration().set("fs.refusefs.impl", RefusingFs.class.getName());
    spark.sparkContext().hadoopConfiguration().setBoolean("fs.refusefs.impl.disable.cache", true);
  }

  @Override
  public URI getUri() {
    return URI.create("refusefs:///");
  }

  @Override
  public String getScheme() {
    return "refusefs";
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      FsPermission permission,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    refuseReports(f);
    return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    refuseReports(f);
    return super.create(f, overwrite, bufferSize, replication, blockSize, progress);
  }

  private static void refuseReports(Path f) throws IOException {
    if (f.getName().startsWith("report.html")) {
      throw new IOException(f + " (No space left on device)");
    }
  }
}
