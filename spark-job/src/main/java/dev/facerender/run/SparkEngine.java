package dev.facerender.run;

import dev.facerender.device.DeviceChoice;
import dev.facerender.job.ProgressListener;
import dev.facerender.job.RenderRequest;
import dev.facerender.job.RunSummary;
import dev.facerender.schedule.spark.SparkScheduler;
import org.apache.spark.sql.SparkSession;

/**
 * A render on a Spark session: {@link RunFlow} with tasks as Spark jobs ({@link SparkScheduler}).
 * Not serializable: it never leaves the driver.
 */
public final class SparkEngine {
  private final SparkSession spark;
  private final DeviceChoice device;

  public SparkEngine(SparkSession spark) {
    this(spark, null);
  }

  /**
   * With the device decided for a local master ({@code null}: described from the session alone),
   * recorded in run.json and the report.
   */
  public SparkEngine(SparkSession spark, DeviceChoice device) {
    this.spark = spark;
    this.device = device;
  }

  /** Renders and writes {@code frames/}, {@code errors/}, {@code metrics/}, run.json, report. */
  public RunSummary run(RenderRequest request, ProgressListener progress) {
    return new RunFlow<>(new SparkScheduler(spark, device)).run(request, progress);
  }
}
