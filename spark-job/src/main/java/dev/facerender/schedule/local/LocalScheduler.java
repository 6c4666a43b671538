package dev.facerender.schedule.local;

import dev.facerender.config.DeviceConf;
import dev.facerender.config.FacerenderConf;
import dev.facerender.device.DeviceChoice;
import dev.facerender.io.ParquetTable;
import dev.facerender.job.Cancellation;
import dev.facerender.job.DeviceUse;
import dev.facerender.job.RenderRequest;
import dev.facerender.output.query.TableScan;
import dev.facerender.partition.RenderPartitionFunction;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.schedule.ModelFiles;
import dev.facerender.schedule.Scheduler;
import dev.facerender.schedule.WaveTasks;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Tasks on render slots in this JVM, without Spark: the same executor code on one slot per core (on
 * GPUs, a few per GPU), as Spark's local mode runs tasks, minus Spark's start-up and per-job
 * scheduling; tables read back file by file ({@link FileScan}).
 */
public final class LocalScheduler implements Scheduler<LocalInput> {
  private final Configuration conf;
  private final ParquetTable frames;
  private final ParquetTable sources;
  private final int threads;
  private final int tasksPerDevice;
  private final DeviceChoice device;

  public LocalScheduler(
      Configuration conf,
      ParquetTable frames,
      ParquetTable sources,
      int coreSlots,
      DeviceChoice device,
      Map<String, String> runConf) {
    this.conf = conf;
    this.frames = frames;
    this.sources = sources;
    this.device = device;
    // On GPUs, a few render slots per GPU (each a task with its render thread), not one per core:
    // more tasks on one GPU only split its memory; on the CPU, one task per core.
    int perGpu = FacerenderConf.get(DeviceConf.GPU_SLOTS, runConf);
    this.threads = device.onGpu() ? device.gpus().size() * perGpu : coreSlots;
    this.tasksPerDevice = device.onGpu() ? perGpu : threads;
  }

  @Override
  public String engine() {
    return "local";
  }

  @Override
  public String master() {
    return "local engine, " + threads + (device.onGpu() ? " GPU render slots" : " threads");
  }

  @Override
  public Configuration hadoop() {
    return conf;
  }

  @Override
  public DeviceUse device(Map<String, String> runConf) {
    return new DeviceUse(device.label(), device.reason());
  }

  @Override
  public RenderSettings settings(String runId, Map<String, String> runConf) {
    return RenderSettings.from(runId, runConf, threads, tasksPerDevice);
  }

  /** The models checked are the ones tasks take from this JVM's runtime, loaded once and kept. */
  @Override
  public RenderSettings preflight(RenderSettings settings, Map<String, String> runConf) {
    return new ModelFiles(conf, null, FacerenderConf.get(FacerenderConf.MODEL_ROOTS, runConf))
        .preflight(
            settings,
            new LoadedForTasks(
                RenderPartitionFunction.taskDevice(settings, device.resourcesForSlot(0))));
  }

  @Override
  public LocalInput input(RenderRequest request) {
    return new LocalInput(frames, sources);
  }

  @Override
  public WaveTasks tasks(WaveTasks.Plan<LocalInput> plan, Cancellation cancel) {
    return new LocalWaves(plan, conf, threads, device, cancel);
  }

  @Override
  public TableScan tables() {
    return new FileScan(conf);
  }
}
