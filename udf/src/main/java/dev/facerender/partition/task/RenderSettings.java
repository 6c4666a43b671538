package dev.facerender.partition.task;

import static java.util.Objects.requireNonNull;

import dev.facerender.batch.Level;
import dev.facerender.config.CalibrationConf;
import dev.facerender.config.ConfigException;
import dev.facerender.config.FacerenderConf;
import dev.facerender.config.OutputConf;
import dev.facerender.config.OutputFormat;
import dev.facerender.config.TorchConf;
import dev.facerender.config.VideoConf;
import dev.facerender.model.TorchOptions;
import dev.facerender.video.VideoOptions;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a task needs, checked on the driver and shipped with the partition function: the
 * render's settings, where the task runs among others ({@link TaskSlots}) and the faults a test run
 * injects ({@link InjectedFaults}). {@code video} is null when no videos are made.
 */
public record RenderSettings(
    String runId,
    String model,
    int batchSize,
    Level level,
    double memoryFraction,
    int maxBatch,
    OutputFormat format,
    int pngCompression,
    double jpegQuality,
    int torchThreads,
    int coeffCount,
    long simulateGpuBytes,
    double cpuMemoryFraction,
    long cpuMemoryBytes,
    int growAfter,
    double maxErrorRate,
    int windowRadius,
    String enhancer,
    double maxAbsCoeff,
    boolean base64Sources,
    int pipelineDepth,
    String calibrationCache,
    double calibrationSeconds,
    VideoOptions video,
    TorchOptions torch,
    TaskSlots slots,
    InjectedFaults faults)
    implements Serializable {

  public RenderSettings {
    requireNonNull(runId, "runId is null");
    requireNonNull(model, "model is null");
    requireNonNull(level, "level is null");
    requireNonNull(format, "format is null");
    requireNonNull(enhancer, "enhancer is null");
    requireNonNull(calibrationCache, "calibrationCache is null");
    requireNonNull(torch, "torch is null");
    requireNonNull(slots, "slots is null");
    requireNonNull(faults, "faults is null");
    if (format == OutputFormat.NONE && video == null) {
      throw new ConfigException(
          "--frames-format none keeps no frames, and no --video was asked for: the run would"
              + " output nothing. Add --video mp4, or keep frames (--frames-format png).");
    }
    if (faults.cpuMemoryBytes() > 0 && (cpuMemoryBytes <= 0 || simulateGpuBytes > 0)) {
      throw new ConfigException(
          "spark.facerender.injectCpuMemory lowers the fixed CPU budget: set"
              + " spark.facerender.cpuMemory (--cpu-memory) too, and no simulated GPU");
    }
  }

  /** Settings where every concurrent task shares one device (the CPU, a simulated GPU). */
  public static RenderSettings from(String runId, Map<String, String> conf, int concurrentTasks) {
    return from(runId, conf, concurrentTasks, concurrentTasks);
  }

  /** Settings from {@code spark.facerender.*} values (defaults for the rest), checked. */
  public static RenderSettings from(
      String runId, Map<String, String> conf, int concurrentTasks, int tasksPerDevice) {
    Map<String, String> values = new TreeMap<>(conf);
    FacerenderConf.validate(values);
    return new RenderSettings(
        runId,
        FacerenderConf.get(FacerenderConf.MODEL, values),
        FacerenderConf.get(FacerenderConf.BATCH_SIZE, values),
        FacerenderConf.get(FacerenderConf.LEVEL, values),
        FacerenderConf.get(FacerenderConf.MEMORY_FRACTION, values),
        FacerenderConf.get(FacerenderConf.MAX_BATCH, values),
        FacerenderConf.get(OutputConf.FORMAT, values),
        FacerenderConf.get(OutputConf.PNG_COMPRESSION, values),
        FacerenderConf.get(OutputConf.JPEG_QUALITY, values),
        FacerenderConf.get(FacerenderConf.TORCH_THREADS, values),
        FacerenderConf.get(FacerenderConf.COEFF_COUNT, values),
        FacerenderConf.get(FacerenderConf.SIMULATE_GPU, values),
        FacerenderConf.get(FacerenderConf.CPU_MEMORY_FRACTION, values),
        FacerenderConf.get(FacerenderConf.CPU_MEMORY, values),
        FacerenderConf.get(FacerenderConf.GROW_AFTER, values),
        FacerenderConf.get(FacerenderConf.MAX_ERROR_RATE, values),
        FacerenderConf.get(FacerenderConf.WINDOW_RADIUS, values),
        FacerenderConf.get(FacerenderConf.ENHANCER, values),
        FacerenderConf.get(FacerenderConf.MAX_ABS_COEFF, values),
        false,
        FacerenderConf.get(FacerenderConf.PIPELINE_DEPTH, values),
        FacerenderConf.get(CalibrationConf.CALIBRATION_CACHE, values),
        FacerenderConf.get(CalibrationConf.CALIBRATION_SECONDS, values),
        VideoConf.options(values),
        new TorchOptions(
            FacerenderConf.get(TorchConf.PRECISION, values),
            FacerenderConf.get(TorchConf.GRAPH_EXECUTOR, values)),
        new TaskSlots(concurrentTasks, tasksPerDevice),
        InjectedFaults.from(values));
  }

  /** Coefficient columns per frame the model sees: 1, or the window {@code 2R+1}. */
  public int windowWidth() {
    return 2 * windowRadius + 1;
  }

  /** Whether each clip becomes an MP4. */
  public boolean hasVideo() {
    return video != null;
  }

  /** Whether an enhancer runs after the renderer. */
  public boolean hasEnhancer() {
    return !enhancer.equals("none");
  }

  /**
   * These settings as executors get them: the model and enhancer specs they load (shipped files,
   * say) and whether source images arrive as base64 text (JSON Lines).
   */
  public RenderSettings forExecutors(
      String executorModel, String executorEnhancer, boolean base64) {
    return new RenderSettings(
        runId,
        executorModel,
        batchSize,
        level,
        memoryFraction,
        maxBatch,
        format,
        pngCompression,
        jpegQuality,
        torchThreads,
        coeffCount,
        simulateGpuBytes,
        cpuMemoryFraction,
        cpuMemoryBytes,
        growAfter,
        maxErrorRate,
        windowRadius,
        executorEnhancer,
        maxAbsCoeff,
        base64,
        pipelineDepth,
        calibrationCache,
        calibrationSeconds,
        video,
        torch,
        slots,
        faults);
  }

  /** The memory share sizing uses: the override when set, else the level's. */
  public double effectiveMemoryFraction() {
    return memoryFraction > 0 ? memoryFraction : level.memoryFraction();
  }

  /** The batch cap sizing uses: the override when set, else the level's. */
  public int effectiveMaxBatch() {
    return maxBatch > 0 ? maxBatch : level.maxBatch();
  }

  /**
   * libtorch threads: the override, else this executor's cores shared by its task slots. Batches
   * use {@link #torchThreadsNow} instead; this figure keys kept calibrations and driver checks.
   */
  public int effectiveTorchThreads() {
    if (torchThreads > 0) {
      return torchThreads;
    }
    return Math.max(1, Runtime.getRuntime().availableProcessors() / slots.concurrentTasks());
  }

  /** libtorch threads for a batch starting now: the override, else the live tasks' share. */
  public int torchThreadsNow(dev.facerender.runtime.CoreShare cores) {
    return torchThreads > 0 ? torchThreads : cores.threadsEach();
  }
}
