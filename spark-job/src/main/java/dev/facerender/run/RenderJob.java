package dev.facerender.run;

import dev.facerender.device.DeviceChoice;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.Staging;
import dev.facerender.output.VideoRun;
import dev.facerender.schedule.spark.SparkScheduler;
import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.SparkSession;

/**
 * A render on a Spark session: {@link RunFlow} with tasks as Spark jobs ({@link SparkScheduler}).
 * Also the model check every run makes before its tasks, and the markers of a run that passed. Not
 * serializable: it never leaves the driver.
 */
public final class RenderJob {
  /** Written last, only when every check passed. */
  public static final String SUCCESS = "_SUCCESS";

  private final SparkSession spark;
  private final DeviceChoice device;

  public RenderJob(SparkSession spark) {
    this(spark, null);
  }

  /**
   * With the device decided for a local master ({@code null}: described from the session alone),
   * recorded in run.json and the report.
   */
  public RenderJob(SparkSession spark, DeviceChoice device) {
    this.spark = spark;
    this.device = device;
  }

  /** Renders and writes {@code frames/}, {@code errors/}, {@code metrics/}, run.json, report. */
  public RunSummary run(RenderRequest request, ProgressListener progress) {
    return new RunFlow(new SparkScheduler(spark, device)).run(request, progress);
  }

  /** The markers readers wait on: each table's, then the folder's. */
  static void markSuccess(OutputFolder out, String runId) {
    byte[] marker = (runId + "\n").getBytes(StandardCharsets.UTF_8);
    for (String table : Staging.TABLES) {
      out.writeAtomically(table + "/" + SUCCESS, marker);
    }
    if (out.exists(VideoRun.MANIFEST)) {
      out.writeAtomically(VideoRun.MANIFEST + "/" + SUCCESS, marker);
    }
    out.writeAtomically(SUCCESS, marker);
  }
}
