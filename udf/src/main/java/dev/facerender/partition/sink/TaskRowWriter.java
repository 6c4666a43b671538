package dev.facerender.partition.sink;

import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import dev.facerender.metrics.VideoFile;
import dev.facerender.partition.task.TaskInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one task attempt's error, metrics and video rows to JSON-lines files of its own (named by
 * the attempt id, so a retry never writes into a failed attempt's file) through the Hadoop file
 * system API, so any file system Spark writes to works. Files are opened at the first row: a task
 * without errors writes no errors file. Not thread-safe: one task thread uses it.
 */
final class TaskRowWriter {
  private static final Logger LOG = LoggerFactory.getLogger(TaskRowWriter.class);
  private final Path dir;
  private final Configuration conf;
  private final TaskInfo task;
  private final Map<String, Long> codes = new TreeMap<>();
  private Path errorsFile;
  private Path metricsFile;
  private Path videosFile;
  private OutputStream errors;
  private OutputStream metrics;
  private OutputStream videos;
  private long errorRows;
  private long metricsRows;
  private long videoRows;

  TaskRowWriter(String dir, Configuration conf, TaskInfo task) {
    this.dir = new Path(dir);
    this.conf = conf;
    this.task = task;
  }

  void error(FrameError error) {
    if (errors == null) {
      errorsFile = file("errors");
      errors = open(errorsFile);
    }
    write(errors, error);
    errorRows++;
    codes.merge(error.code(), 1L, Long::sum);
  }

  void metrics(BatchMetrics batch) {
    if (metrics == null) {
      metricsFile = file("metrics");
      metrics = open(metricsFile);
    }
    write(metrics, batch);
    metricsRows++;
  }

  void video(VideoFile video) {
    if (videos == null) {
      videosFile = file("videos");
      videos = open(videosFile);
    }
    write(videos, video);
    videoRows++;
  }

  /** Closes the files (a failure here fails the task, so its rows are never half counted). */
  TaskRows finish() {
    try {
      closeStreams();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not close the task's row files in " + dir, e);
    }
    return new TaskRows(
        task.partition(),
        task.attempt(),
        errorsFile == null ? null : errorsFile.toString(),
        errorRows,
        metricsFile == null ? null : metricsFile.toString(),
        metricsRows,
        videosFile == null ? null : videosFile.toString(),
        videoRows,
        codes);
  }

  /**
   * The task failed: closes the files without throwing; the driver never reads a failed attempt's
   * files. A failure to close is logged, not thrown: the attempt already fails with its own error,
   * which a second one thrown from its cleanup would replace, and the files are debris of the
   * staging folder, removed with it.
   */
  void abort() {
    try {
      closeStreams();
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "Could not close the row files of failed task attempt {} in {}; they stay in the staging"
              + " folder until it is removed",
          task.taskAttemptId(),
          dir,
          e);
    }
  }

  private void closeStreams() throws IOException {
    OutputStream e = errors;
    OutputStream m = metrics;
    OutputStream v = videos;
    errors = null;
    metrics = null;
    videos = null;
    try {
      if (e != null) {
        e.close();
      }
    } finally {
      try {
        if (m != null) {
          m.close();
        }
      } finally {
        if (v != null) {
          v.close();
        }
      }
    }
  }

  private Path file(String table) {
    return new Path(
        dir,
        String.format(
            "%s/part-%05d-attempt-%d.jsonl", table, task.partition(), task.taskAttemptId()));
  }

  private OutputStream open(Path file) {
    try {
      return file.getFileSystem(conf).create(file, false);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not create " + file + " for the task's rows", e);
    }
  }

  private void write(OutputStream stream, Object row) {
    try {
      stream.write(TaskRows.JSON.writeValueAsBytes(row));
      stream.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write a row to " + dir, e);
    }
  }
}
