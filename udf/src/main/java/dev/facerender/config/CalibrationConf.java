package dev.facerender.config;

import static dev.facerender.config.ConfigKey.declare;

import java.util.List;
import java.util.function.Function;

/** Where measured calibrations are kept, and how long measuring one may take. */
public final class CalibrationConf {
  public static final ConfigKey<String> CALIBRATION_CACHE =
      declare(
          "calibrationCache",
          "--calibration-cache",
          "Folder where executors keep calibrations between runs (per model, device, frame size,"
              + " threads, libtorch version); none calibrates every run",
          "string",
          "~/.cache/facerender/calibration",
          Function.identity(),
          s -> !s.isBlank(),
          "a folder or none");
  public static final ConfigKey<Double> CALIBRATION_SECONDS =
      declare(
          "calibrationSeconds",
          "--calibration-seconds",
          "Time budget of a calibration that must run: larger batches are tried only while less"
              + " was spent",
          "double",
          "3",
          Double::valueOf,
          s -> s > 0,
          "> 0");

  public static final List<ConfigKey<?>> ALL = List.of(CALIBRATION_CACHE, CALIBRATION_SECONDS);

  private CalibrationConf() {}
}
