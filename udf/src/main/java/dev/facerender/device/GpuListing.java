package dev.facerender.device;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The GPUs the NVIDIA driver lists, as {@code nvidia-smi} prints them: every GPU of the machine (or
 * of the container), whatever {@code CUDA_VISIBLE_DEVICES} says. {@code note} says how the count
 * was found, or why it is 0.
 */
public record GpuListing(int count, String note) {
  private static final long TIMEOUT_SECONDS = 20;

  public static final GpuListing NONE = new GpuListing(0, "not asked");

  public GpuListing {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
  }

  /** Asks {@code nvidia-smi} on this process's PATH. */
  public static GpuListing ofThisMachine() {
    return of(System.getenv().getOrDefault("PATH", ""));
  }

  /** Asks the first {@code nvidia-smi} on {@code path} (a PATH value). */
  public static GpuListing of(String path) {
    File smi = onPath("nvidia-smi", path);
    if (smi == null) {
      return new GpuListing(0, "nvidia-smi not found on PATH");
    }
    try {
      Process process =
          new ProcessBuilder(smi.getPath(), "--query-gpu=index", "--format=csv,noheader")
              .redirectErrorStream(true)
              .start();
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new GpuListing(0, "nvidia-smi did not answer within " + TIMEOUT_SECONDS + " s");
      }
      if (process.exitValue() != 0) {
        return new GpuListing(0, "nvidia-smi failed: " + firstLine(out));
      }
      return parse(out);
    } catch (IOException e) {
      return new GpuListing(0, "nvidia-smi could not run: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new GpuListing(0, "interrupted while asking nvidia-smi");
    }
  }

  /** {@code nvidia-smi --query-gpu=index --format=csv,noheader} output: one index a line. */
  static GpuListing parse(String output) {
    int count = 0;
    for (String line : output.split("\n")) {
      String index = line.strip();
      if (index.isEmpty()) {
        continue;
      }
      if (!index.matches("[0-9]+")) {
        return new GpuListing(0, "nvidia-smi printed '" + index + "', not a GPU index");
      }
      count++;
    }
    return new GpuListing(count, count == 0 ? "nvidia-smi lists no GPU" : "nvidia-smi");
  }

  private static String firstLine(String text) {
    String line = text.strip().lines().findFirst().orElse("");
    return line.isEmpty() ? "no output" : line;
  }

  private static File onPath(String name, String path) {
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      File candidate = new File(dir, name);
      if (candidate.isFile() && candidate.canExecute()) {
        return candidate;
      }
    }
    return null;
  }
}
