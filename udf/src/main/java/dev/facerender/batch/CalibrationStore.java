package dev.facerender.batch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calibrations kept in a folder between runs, so a machine pays for calibrating a (model, device,
 * frame size, threads, libtorch) once, not once per run, and every run on it picks the same batch.
 * A cache only: a missing, unreadable or foreign file means "calibrate", never a failed run. Files
 * are written to a temporary name and renamed, so concurrent executors never read half a file.
 */
public final class CalibrationStore {
  private static final Logger LOG = LoggerFactory.getLogger(CalibrationStore.class);
  private static final String SUFFIX = ".calibration";

  private final Path folder;

  private CalibrationStore(Path folder) {
    this.folder = folder;
  }

  /** The store in {@code folder}; {@code none} or blank turns persistence off. */
  public static CalibrationStore at(String folder) {
    String chosen = folder == null ? "" : folder.strip();
    if (chosen.isEmpty() || chosen.equals("none")) {
      return new CalibrationStore(null);
    }
    if (chosen.startsWith("~/")) {
      chosen = System.getProperty("user.home") + chosen.substring(1);
    }
    return new CalibrationStore(Path.of(chosen));
  }

  public boolean enabled() {
    return folder != null;
  }

  /** The calibration stored under {@code key}, if any. */
  public Optional<Calibration> load(String key) {
    if (folder == null) {
      return Optional.empty();
    }
    Path file = folder.resolve(fileName(key));
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(parse(key, Files.readAllLines(file, StandardCharsets.UTF_8)));
    } catch (IOException | RuntimeException e) {
      LOG.warn("Ignoring calibration file {}: {}", file, e.toString());
      return Optional.empty();
    }
  }

  /** Stores {@code calibration} under {@code key}; a failure is logged, not thrown. */
  public void save(String key, Calibration calibration) {
    if (folder == null) {
      return;
    }
    Path file = folder.resolve(fileName(key));
    try {
      Files.createDirectories(folder);
      Path temp = Files.createTempFile(folder, ".calibration-", ".tmp");
      Files.write(temp, format(key, calibration), StandardCharsets.UTF_8);
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not keep the calibration in {}: {}", folder, e.toString());
    }
  }

  static String fileName(String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16) + SUFFIX;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  static List<String> format(String key, Calibration c) {
    List<String> lines = new ArrayList<>();
    lines.add("key=" + key);
    lines.add("fixed=" + c.fixedBytes());
    lines.add("perFrame=" + c.perFrameBytes());
    lines.add("measured=" + c.measured());
    lines.add("smallestOom=" + c.smallestOom());
    for (ThroughputPoint p : c.points()) {
      lines.add(
          String.format(
              Locale.ROOT, "point=%d,%d,%s", p.batch(), p.peakBytes(), p.framesPerSecond()));
    }
    return lines;
  }

  /** The calibration in {@code lines}, or null when they were written for another key. */
  static Calibration parse(String key, List<String> lines) {
    long fixed = -1;
    long perFrame = -1;
    boolean measured = false;
    int smallestOom = 0;
    String storedKey = null;
    List<ThroughputPoint> points = new ArrayList<>();
    for (String line : lines) {
      int eq = line.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String value = line.substring(eq + 1);
      switch (line.substring(0, eq)) {
        case "key" -> storedKey = value;
        case "fixed" -> fixed = Long.parseLong(value);
        case "perFrame" -> perFrame = Long.parseLong(value);
        case "measured" -> measured = Boolean.parseBoolean(value);
        case "smallestOom" -> smallestOom = Integer.parseInt(value);
        case "point" -> {
          String[] f = value.split(",");
          points.add(
              new ThroughputPoint(
                  Integer.parseInt(f[0]), Long.parseLong(f[1]), Double.parseDouble(f[2])));
        }
        default -> {
          // Fields a later version adds are skipped.
        }
      }
    }
    // A hash collision or a hand-edited file: only the exact key counts.
    if (!key.equals(storedKey) || fixed < 0 || perFrame <= 0) {
      return null;
    }
    return new Calibration(fixed, perFrame, measured, points, smallestOom);
  }
}
