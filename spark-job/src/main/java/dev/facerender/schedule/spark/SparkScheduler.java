package dev.facerender.schedule.spark;

import dev.facerender.config.FacerenderConf;
import dev.facerender.device.DeviceChoice;
import dev.facerender.job.Cancellation;
import dev.facerender.job.DeviceUse;
import dev.facerender.job.RenderRequest;
import dev.facerender.output.query.TableScan;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.schedule.ModelFiles;
import dev.facerender.schedule.Scheduler;
import dev.facerender.schedule.WaveTasks;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * Tasks as Spark jobs: each wave one {@code mapPartitions} over the input Spark reads, frames
 * written through Spark's commit protocol, tables folded back by Spark tasks ({@link SparkScan}).
 */
public final class SparkScheduler implements Scheduler<RenderInput> {
  private final SparkSession spark;
  private final DeviceChoice device;

  /** {@code device}: decided for a local master (null: described from the session alone). */
  public SparkScheduler(SparkSession spark, DeviceChoice device) {
    this.spark = spark;
    this.device = device;
  }

  @Override
  public String engine() {
    return "spark";
  }

  @Override
  public String master() {
    return spark.sparkContext().master();
  }

  @Override
  public Configuration hadoop() {
    return spark.sparkContext().hadoopConfiguration();
  }

  @Override
  public DeviceUse device(Map<String, String> conf) {
    return SparkTopology.device(spark, device, conf);
  }

  @Override
  public RenderSettings settings(String runId, Map<String, String> conf) {
    SparkTopology.Slots slots = SparkTopology.slots(spark);
    return RenderSettings.from(runId, conf, slots.concurrentTasks(), slots.tasksPerDevice());
  }

  @Override
  public RenderSettings preflight(RenderSettings settings, Map<String, String> conf) {
    String roots = FacerenderConf.get(FacerenderConf.MODEL_ROOTS, conf);
    // Local Spark's executor is this JVM: it reads the staged files where they are. Shipping them
    // through SparkFiles only adds a copy, which the local executor then compares with the one
    // added (a second render of a session once failed there: "exists and does not match").
    ModelFiles files =
        spark.sparkContext().isLocal()
            ? new ModelFiles(spark.sparkContext().hadoopConfiguration(), null, roots)
            : new ModelFiles(spark, roots);
    return files.preflight(settings, new DriverTestBatch());
  }

  @Override
  public RenderInput input(RenderRequest request) {
    return new RenderInput(spark, request);
  }

  @Override
  public WaveTasks tasks(WaveTasks.Plan<RenderInput> plan, Cancellation cancel) {
    cancel.onCancel(spark.sparkContext()::cancelAllJobs);
    return new WaveRunner(spark, plan);
  }

  @Override
  public TableScan tables() {
    return new SparkScan(spark);
  }
}
