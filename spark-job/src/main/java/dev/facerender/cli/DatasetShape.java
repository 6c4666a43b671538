package dev.facerender.cli;

import picocli.CommandLine.Option;

/**
 * The shape of a synthetic dataset, shared by generate and demo (demo's --seed is the fault
 * injection seed, so the dataset seed stays generate's own option).
 */
final class DatasetShape {
  @Option(names = "--clips", defaultValue = "4", description = "Clips (default: ${DEFAULT-VALUE})")
  int clips;

  @Option(
      names = "--frames",
      defaultValue = "48",
      description = "Frames per clip (default: ${DEFAULT-VALUE})")
  int frames;

  @Option(
      names = "--size",
      defaultValue = "256",
      description = "Source and frame size in pixels (default: ${DEFAULT-VALUE})")
  int size;
}
