package dev.facerender.run;

import dev.facerender.device.Device;
import dev.facerender.device.DeviceChoice;
import dev.facerender.model.FrameEnhancer;
import dev.facerender.model.FrameModel;
import dev.facerender.model.ModelCache;
import dev.facerender.model.ModelPreflight;
import dev.facerender.model.Models;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.VideoRun;
import dev.facerender.partition.RenderSettings;
import dev.facerender.schedule.ModelFiles;
import dev.facerender.schedule.spark.SparkScheduler;
import dev.facerender.schedule.spark.WaveRunner;
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

  /**
   * Checks, stages and ships the model files, and runs them on the driver so a missing or broken
   * file stops the run before any task. Returns the settings executors get (with {@code
   * base64Sources} still to set from the input).
   */
  public static RenderSettings preflight(RenderSettings settings, ModelFiles files) {
    return preflight(settings, files, null);
  }

  /**
   * As {@link #preflight(RenderSettings, ModelFiles)}; with {@code tasksDevice} (the local engine,
   * whose tasks run in this JVM) the models checked are the ones tasks take from {@link
   * ModelCache}, loaded once and kept, rather than a driver copy closed after the check.
   */
  public static RenderSettings preflight(
      RenderSettings settings, ModelFiles files, Device tasksDevice) {
    ModelFiles.Shipped model = files.ship(settings.model(), "Model");
    if (tasksDevice != null) {
      ModelPreflight.check(
          ModelCache.get(model.executorSpec(), settings.torch(), tasksDevice),
          settings.coeffCount(),
          settings.windowWidth(),
          tasksDevice.torchDevice());
    } else {
      try (FrameModel loaded = Models.load(model.driverSpec(), "cpu", settings.torch())) {
        ModelPreflight.check(loaded, settings.coeffCount(), settings.windowWidth());
      }
    }
    String enhancer = settings.enhancer();
    if (settings.hasEnhancer()) {
      ModelFiles.Shipped shipped = files.ship(settings.enhancer(), "Enhancer");
      if (tasksDevice != null) {
        ModelPreflight.check(
            ModelCache.enhancer(shipped.executorSpec(), tasksDevice), tasksDevice.torchDevice());
      } else {
        try (FrameEnhancer loaded = Models.loadEnhancer(shipped.driverSpec())) {
          ModelPreflight.check(loaded);
        }
      }
      enhancer = shipped.executorSpec();
    }
    return settings.forExecutors(model.executorSpec(), enhancer, false);
  }

  /** The markers readers wait on: each table's, then the folder's. */
  static void markSuccess(OutputFolder out, String runId) {
    byte[] marker = (runId + "\n").getBytes(StandardCharsets.UTF_8);
    for (String table : WaveRunner.TABLES) {
      out.writeAtomically(table + "/" + SUCCESS, marker);
    }
    if (out.exists(VideoRun.MANIFEST)) {
      out.writeAtomically(VideoRun.MANIFEST + "/" + SUCCESS, marker);
    }
    out.writeAtomically(SUCCESS, marker);
  }
}
