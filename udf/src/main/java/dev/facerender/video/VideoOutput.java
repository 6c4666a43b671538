package dev.facerender.video;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Where task attempts stage their MP4s ({@code stagingDir}, under {@code videos/_temporary} on any
 * Hadoop file system) and how they read audio files named by path. A staged file's name is unique
 * to its task attempt, so attempts never collide; only the driver moves files to their final names.
 */
public final class VideoOutput implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String stagingDir;
  private final SerializableConfiguration hadoop;

  public VideoOutput(String stagingDir, SerializableConfiguration hadoop) {
    this.stagingDir = requireNonNull(stagingDir, "stagingDir is null");
    this.hadoop = requireNonNull(hadoop, "hadoop is null");
  }

  public String stagingDir() {
    return stagingDir;
  }

  /** Copies {@code local} to a staged file named for the attempt; returns its URI. */
  public String stage(java.nio.file.Path local, int partition, long taskAttemptId, int seq) {
    Path target = new Path(stagingDir, "p" + partition + "-t" + taskAttemptId + "-" + seq + ".mp4");
    try {
      FileSystem fs = target.getFileSystem(hadoop.value());
      if (fs instanceof ChecksumFileSystem checksummed) {
        // An MP4 is checked by its readers; a .crc beside each video is only clutter in videos/.
        fs = checksummed.getRawFileSystem();
      }
      try (InputStream in = Files.newInputStream(local);
          OutputStream out = fs.create(target, false)) {
        in.transferTo(out);
      }
      return fs.makeQualified(target).toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stage " + local + " at " + target, e);
    }
  }

  /** The bytes of an audio file on any Hadoop file system. */
  public byte[] read(String path) throws IOException {
    Path file = new Path(path);
    try (InputStream in = file.getFileSystem(hadoop.value()).open(file)) {
      return in.readAllBytes();
    }
  }
}
