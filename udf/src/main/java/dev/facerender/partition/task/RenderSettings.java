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
 * Everything a task needs, checked on the driver and shipped with the partition function: which
 * network renders ({@link Network}), how batches are sized ({@link Sizing}), what is written
 * ({@link Output}), what input is refused ({@link InputRules}), where the task runs among others
 * ({@link TaskSlots}) and the faults a test run injects ({@link InjectedFaults}).
 */
public record RenderSettings(
    String runId,
    Network network,
    Sizing sizing,
    Output output,
    InputRules input,
    TaskSlots slots,
    InjectedFaults faults)
    implements Serializable {

  /**
   * The renderer ({@code model}, a TorchScript file or a builtin), the optional enhancer ("none"
   * for none), the coefficients per frame and the window radius it takes, and how libtorch runs it.
   */
  public record Network(
      String model, String enhancer, int coeffCount, int windowRadius, TorchOptions torch)
      implements Serializable {
    public Network {
      requireNonNull(model, "model is null");
      requireNonNull(enhancer, "enhancer is null");
      requireNonNull(torch, "torch is null");
    }

    /** Coefficient columns per frame the model sees: 1, or the window {@code 2R+1}. */
    public int windowWidth() {
      return 2 * windowRadius + 1;
    }

    /** Whether an enhancer runs after the renderer. */
    public boolean hasEnhancer() {
      return !enhancer.equals("none");
    }
  }

  /**
   * How batches are sized: a fixed {@code batchSize} or the {@code level}'s memory share and cap
   * (overrides when positive), libtorch threads (0: the cores shared by live tasks), the simulated
   * GPU and CPU budgets, growth, pipelining and the calibration store and budget.
   */
  public record Sizing(
      int batchSize,
      Level level,
      double memoryFraction,
      int maxBatch,
      int torchThreads,
      long simulateGpuBytes,
      double cpuMemoryFraction,
      long cpuMemoryBytes,
      int growAfter,
      int pipelineDepth,
      String calibrationCache,
      double calibrationSeconds)
      implements Serializable {
    public Sizing {
      requireNonNull(level, "level is null");
      requireNonNull(calibrationCache, "calibrationCache is null");
    }

    /** The memory share sizing uses: the override when set, else the level's. */
    public double effectiveMemoryFraction() {
      return memoryFraction > 0 ? memoryFraction : level.memoryFraction();
    }

    /** The batch cap sizing uses: the override when set, else the level's. */
    public int effectiveMaxBatch() {
      return maxBatch > 0 ? maxBatch : level.maxBatch();
    }
  }

  /** What is written: the frames' format and its settings, and the clips' MP4s (null: none). */
  public record Output(
      OutputFormat format, int pngCompression, double jpegQuality, VideoOptions video)
      implements Serializable {
    public Output {
      requireNonNull(format, "format is null");
    }

    /** Whether each clip becomes an MP4. */
    public boolean hasVideo() {
      return video != null;
    }
  }

  /**
   * What input is refused and how it arrives: the error share that fails the run, the largest
   * coefficient accepted, and whether source images are base64 text (JSON Lines).
   */
  public record InputRules(double maxErrorRate, double maxAbsCoeff, boolean base64Sources)
      implements Serializable {}

  public RenderSettings {
    requireNonNull(runId, "runId is null");
    requireNonNull(network, "network is null");
    requireNonNull(sizing, "sizing is null");
    requireNonNull(output, "output is null");
    requireNonNull(input, "input is null");
    requireNonNull(slots, "slots is null");
    requireNonNull(faults, "faults is null");
    if (output.format() == OutputFormat.NONE && !output.hasVideo()) {
      throw new ConfigException(
          "--frames-format none keeps no frames, and no --video was asked for: the run would"
              + " output nothing. Add --video mp4, or keep frames (--frames-format png).");
    }
    if (faults.cpuMemoryBytes() > 0
        && (sizing.cpuMemoryBytes() <= 0 || sizing.simulateGpuBytes() > 0)) {
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
        new Network(
            FacerenderConf.get(FacerenderConf.MODEL, values),
            FacerenderConf.get(FacerenderConf.ENHANCER, values),
            FacerenderConf.get(FacerenderConf.COEFF_COUNT, values),
            FacerenderConf.get(FacerenderConf.WINDOW_RADIUS, values),
            new TorchOptions(
                FacerenderConf.get(TorchConf.PRECISION, values),
                FacerenderConf.get(TorchConf.GRAPH_EXECUTOR, values))),
        new Sizing(
            FacerenderConf.get(FacerenderConf.BATCH_SIZE, values),
            FacerenderConf.get(FacerenderConf.LEVEL, values),
            FacerenderConf.get(FacerenderConf.MEMORY_FRACTION, values),
            FacerenderConf.get(FacerenderConf.MAX_BATCH, values),
            FacerenderConf.get(FacerenderConf.TORCH_THREADS, values),
            FacerenderConf.get(FacerenderConf.SIMULATE_GPU, values),
            FacerenderConf.get(FacerenderConf.CPU_MEMORY_FRACTION, values),
            FacerenderConf.get(FacerenderConf.CPU_MEMORY, values),
            FacerenderConf.get(FacerenderConf.GROW_AFTER, values),
            FacerenderConf.get(FacerenderConf.PIPELINE_DEPTH, values),
            FacerenderConf.get(CalibrationConf.CALIBRATION_CACHE, values),
            FacerenderConf.get(CalibrationConf.CALIBRATION_SECONDS, values)),
        new Output(
            FacerenderConf.get(OutputConf.FORMAT, values),
            FacerenderConf.get(OutputConf.PNG_COMPRESSION, values),
            FacerenderConf.get(OutputConf.JPEG_QUALITY, values),
            VideoConf.options(values)),
        new InputRules(
            FacerenderConf.get(FacerenderConf.MAX_ERROR_RATE, values),
            FacerenderConf.get(FacerenderConf.MAX_ABS_COEFF, values),
            false),
        new TaskSlots(concurrentTasks, tasksPerDevice),
        InjectedFaults.from(values));
  }

  /**
   * These settings as executors get them: the model and enhancer specs they load (shipped files,
   * say) and whether source images arrive as base64 text (JSON Lines).
   */
  public RenderSettings forExecutors(
      String executorModel, String executorEnhancer, boolean base64) {
    return new RenderSettings(
        runId,
        new Network(
            executorModel,
            executorEnhancer,
            network.coeffCount(),
            network.windowRadius(),
            network.torch()),
        sizing,
        output,
        new InputRules(input.maxErrorRate(), input.maxAbsCoeff(), base64),
        slots,
        faults);
  }

  /**
   * libtorch threads: the override, else this executor's cores shared by its task slots. Batches
   * use {@link #torchThreadsNow} instead; this figure keys kept calibrations and driver checks.
   */
  public int effectiveTorchThreads() {
    if (sizing.torchThreads() > 0) {
      return sizing.torchThreads();
    }
    return Math.max(1, Runtime.getRuntime().availableProcessors() / slots.concurrentTasks());
  }

  /** libtorch threads for a batch starting now: the override, else the live tasks' share. */
  public int torchThreadsNow(dev.facerender.runtime.CoreShare cores) {
    return sizing.torchThreads() > 0 ? sizing.torchThreads() : cores.threadsEach();
  }

  /** The threads calibration measures at: a task's once the tasks waiting to plan have started. */
  public int torchThreadsToCalibrate(dev.facerender.runtime.CoreShare cores) {
    return sizing.torchThreads() > 0 ? sizing.torchThreads() : cores.threadsEachOnceStarted();
  }
}
