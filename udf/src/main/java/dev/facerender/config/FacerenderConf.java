package dev.facerender.config;

import static dev.facerender.config.ConfigKey.declare;

import dev.facerender.batch.Level;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Every Facerender setting, declared once. Parsed and checked on the driver. */
public final class FacerenderConf {
  public static final ConfigKey<String> MODEL =
      declare(
          "model",
          "--model",
          "Renderer: builtin:warp, builtin:sadtalker-arch[?width=W] (SadTalker's renderer,"
              + " architecture only, random weights, for sizing and benchmarks; real weights via"
              + " docs/sadtalker-export.md) or a TorchScript file (local path or file:)",
          "string",
          "builtin:warp",
          Function.identity(),
          s -> !s.isBlank(),
          "non-empty");
  public static final ConfigKey<Integer> BATCH_SIZE =
      declare(
          "batchSize",
          "--batch-size",
          "Frames per batch; 0 sizes batches from device memory and measured speed",
          "int",
          "0",
          Integer::valueOf,
          n -> n >= 0,
          ">= 0");
  public static final ConfigKey<Level> LEVEL =
      declare(
          "level",
          "--level",
          "Optimisation level: low, medium, high or extreme (memory share, batch cap, speed tolerance)",
          "enum",
          "medium",
          Level::parse,
          l -> true,
          "a level");
  public static final ConfigKey<Double> MEMORY_FRACTION =
      declare(
          "memoryFraction",
          "--memory-fraction",
          "Share of free device memory a task may plan for; 0 takes the level's",
          "double",
          "0",
          Double::valueOf,
          f -> f >= 0 && f <= 1,
          "in [0, 1]");
  public static final ConfigKey<Integer> MAX_BATCH =
      declare(
          "maxBatch",
          "--max-batch",
          "Largest batch sizing may plan; 0 takes the level's",
          "int",
          "0",
          Integer::valueOf,
          n -> n >= 0,
          ">= 0");
  public static final ConfigKey<Integer> TORCH_THREADS =
      declare(
          "torchThreads",
          "--torch-threads",
          "libtorch intra-op threads per executor; 0 = cores / concurrent tasks",
          "int",
          "0",
          Integer::valueOf,
          n -> n >= 0,
          ">= 0");
  public static final ConfigKey<Integer> COEFF_COUNT =
      declare(
          "coeffCount",
          "--coeff-count",
          "Driving coefficients per frame the model expects (70 for SadTalker); 0 accepts any",
          "int",
          "70",
          Integer::valueOf,
          n -> n >= 0,
          ">= 0");
  public static final ConfigKey<Long> SIMULATE_GPU =
      declare(
          "simulateGpu",
          "--simulate-gpu",
          "Simulate a GPU of this size (e.g. 16GiB) on the CPU; 0 = off",
          "size",
          "0",
          DataSize::parse,
          n -> n >= 0,
          ">= 0");
  public static final ConfigKey<Double> CPU_MEMORY_FRACTION =
      declare(
          "cpuMemoryFraction",
          "--cpu-memory-fraction",
          "On CPU, the share of the machine's available memory treated as device memory",
          "double",
          "0.5",
          Double::valueOf,
          f -> f > 0 && f <= 1,
          "in (0, 1]");
  public static final ConfigKey<Long> CPU_MEMORY =
      declare(
          "cpuMemory",
          "--cpu-memory",
          "On CPU, a fixed memory budget (e.g. 3GiB) in place of --cpu-memory-fraction: a batch whose"
              + " measured peak passes it fails with the CPU allocator's out-of-memory error and is"
              + " split and retried; 0 = off",
          "size",
          "0",
          DataSize::parse,
          n -> n >= 0,
          ">= 0");
  public static final ConfigKey<Integer> GROW_AFTER =
      declare(
          "growAfter",
          "--grow-after",
          "Successful batches in a row before an OOM-lowered batch ceiling grows back",
          "int",
          "8",
          Integer::valueOf,
          n -> n >= 1,
          ">= 1");
  public static final ConfigKey<Double> MAX_ERROR_RATE =
      declare(
          "maxErrorRate",
          "--max-error-rate",
          "Fail the run when more than this share of input frames is rejected",
          "double",
          "0.01",
          Double::valueOf,
          r -> r >= 0 && r <= 1,
          "in [0, 1]");
  public static final ConfigKey<Integer> WAVE_FRAMES =
      declare(
          "waveFrames",
          "--wave-frames",
          "Input frames per wave: each wave of clips is committed on its own, so --mode resume"
              + " after a crash renders again at most the waves that were not committed",
          "int",
          "100000",
          Integer::valueOf,
          n -> n >= 1,
          ">= 1");

  public static final ConfigKey<Integer> WINDOW_RADIUS =
      declare(
          "windowRadius",
          "--window-radius",
          "Pass each frame the coefficients of R neighbours each side, [N,C,2R+1], edge-padded at"
              + " clip ends (SadTalker: 13); 0 passes [N,C]",
          "int",
          "0",
          Integer::valueOf,
          r -> r >= 0 && r <= 1024,
          "in [0, 1024]");
  public static final ConfigKey<String> ENHANCER =
      declare(
          "enhancer",
          "--enhancer",
          "Second model applied to rendered frames: none, builtin:sharpen or a TorchScript file"
              + " forward(frames) -> frames",
          "string",
          "none",
          String::strip,
          s -> !s.isBlank(),
          "none, builtin:sharpen or a file");
  public static final ConfigKey<String> MODEL_ROOTS =
      declare(
          "modelRoots",
          "--model-roots",
          "Comma-separated roots (paths or URIs such as hdfs:///models) that model files must lie"
              + " under; empty allows any",
          "string",
          "",
          String::strip,
          s -> true,
          "a comma-separated list");
  public static final ConfigKey<Double> MAX_ABS_COEFF =
      declare(
          "maxAbsCoeff",
          "--max-abs-coeff",
          "Reject frames with a coefficient whose magnitude exceeds this (garbage, not motion)",
          "double",
          "1000",
          Double::valueOf,
          v -> v > 0,
          "> 0");

  public static final ConfigKey<Integer> PIPELINE_DEPTH =
      declare(
          "pipelineDepth",
          "--pipeline-depth",
          "Batches a task keeps in flight on its render thread while it decodes, encodes and writes"
              + " others; 0 renders on the task thread",
          "int",
          "2",
          Integer::valueOf,
          n -> n >= 0 && n <= 16,
          "in [0, 16]");

  public static final List<ConfigKey<?>> ALL =
      java.util.stream.Stream.of(
              List.<ConfigKey<?>>of(MODEL, BATCH_SIZE, LEVEL, MEMORY_FRACTION, MAX_BATCH),
              OutputConf.ALL,
              List.<ConfigKey<?>>of(
                  TORCH_THREADS,
                  COEFF_COUNT,
                  SIMULATE_GPU,
                  CPU_MEMORY_FRACTION,
                  CPU_MEMORY,
                  GROW_AFTER,
                  MAX_ERROR_RATE,
                  WAVE_FRAMES,
                  WINDOW_RADIUS,
                  ENHANCER,
                  MODEL_ROOTS,
                  MAX_ABS_COEFF,
                  PIPELINE_DEPTH),
              CalibrationConf.ALL,
              DeviceConf.ALL,
              FaultConf.ALL,
              VideoConf.ALL,
              TorchConf.ALL)
          .flatMap(List::stream)
          .toList();

  private FacerenderConf() {}

  /** The value of {@code key} in {@code values} (by Spark key), or its default. */
  public static <T> T get(ConfigKey<T> key, Map<String, String> values) {
    return key.parse(values.getOrDefault(key.key(), key.defaultValue()));
  }

  /** Checks every value and refuses unknown {@code spark.facerender.*} keys (typos). */
  public static void validate(Map<String, String> values) {
    for (String name : values.keySet()) {
      if (name.startsWith(ConfigKey.PREFIX) && ALL.stream().noneMatch(k -> k.key().equals(name))) {
        throw new ConfigException(
            "Unknown setting " + name + ": the known settings are listed by 'facerender config'");
      }
    }
    ALL.forEach(k -> get(k, values));
  }
}
