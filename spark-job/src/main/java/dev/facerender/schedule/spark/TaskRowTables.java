package dev.facerender.schedule.spark;

import dev.facerender.io.Schemas;
import dev.facerender.io.TableRows;
import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import dev.facerender.output.OutputFolder;
import dev.facerender.partition.sink.TaskRows;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Turns the row files of a wave's successful task attempts (named by their {@link TaskRows}) into
 * the wave's staged errors/ and metrics/ tables, one Spark job each: the rows go from executor
 * files to executor-written Parquet and never through the driver. Files of failed attempts are
 * never named, so never read.
 */
public final class TaskRowTables {
  private final SparkSession spark;
  private final OutputFolder out;

  TaskRowTables(SparkSession spark, OutputFolder out) {
    this.spark = spark;
    this.out = out;
  }

  /** Writes {@code staging}'s errors/ and metrics/; returns the tasks' counts per error code. */
  Map<String, Long> write(List<TaskRows> tasks, String staging) {
    write(
        tasks.stream().map(TaskRows::errorsFile).filter(f -> f != null).toList(),
        Schemas.ERRORS,
        staging + "/errors",
        (MapFunction<String, Row>) line -> TableRows.row(parse(line, FrameError.class)));
    write(
        tasks.stream().map(TaskRows::metricsFile).filter(f -> f != null).toList(),
        Schemas.METRICS,
        staging + "/metrics",
        (MapFunction<String, Row>) line -> TableRows.row(parse(line, BatchMetrics.class)));
    Map<String, Long> codes = new TreeMap<>();
    for (TaskRows task : tasks) {
      task.errorCodes().forEach((code, n) -> codes.merge(code, n, Long::sum));
    }
    return codes;
  }

  private void write(
      List<String> files, StructType schema, String relative, MapFunction<String, Row> toRow) {
    if (files.isEmpty()) {
      spark
          .createDataFrame(List.<Row>of(), schema)
          .coalesce(1)
          .write()
          .mode(SaveMode.ErrorIfExists)
          .parquet(out.child(relative));
      return;
    }
    spark
        .read()
        .textFile(files.toArray(String[]::new))
        .map(toRow, Encoders.row(schema))
        .write()
        .mode(SaveMode.ErrorIfExists)
        .parquet(out.child(relative));
  }

  private static <T> T parse(String line, Class<T> type) {
    try {
      return TaskRows.JSON.readValue(line, type);
    } catch (IOException e) {
      throw new UncheckedIOException("Unreadable task row file line: " + line, e);
    }
  }
}
