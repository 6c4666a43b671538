package dev.facerender.run;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.spark.sql.SparkSession;

/**
 * The local file system under another scheme, {@code testfs://}: what an {@code hdfs://} or {@code
 * s3a://} model or output goes through, on a machine that has neither.
 */
public final class TestFs extends RawLocalFileSystem {
  static void register(SparkSession spark) {
    spark.sparkContext().hadoopConfiguration().set("fs.testfs.impl", TestFs.class.getName());
  }

  @Override
  public URI getUri() {
    return URI.create("testfs:///");
  }

  @Override
  public String getScheme() {
    return "testfs";
  }
}
