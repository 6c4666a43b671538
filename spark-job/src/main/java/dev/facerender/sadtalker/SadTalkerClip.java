package dev.facerender.sadtalker;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One clip as SadTalker leaves it: audio2coeff's coefficient file, the preprocess step's face crop
 * and its {@code first_coeff} file. The clip id is the coefficient file's name without {@code
 * .mat}, as SadTalker names its video, unless a manifest gives one.
 */
public record SadTalkerClip(String clipId, Path coeffs, Path crop, Path firstCoeff) {
  public SadTalkerClip {
    requireNonNull(clipId, "clipId is null");
    requireNonNull(coeffs, "coeffs is null");
    requireNonNull(crop, "crop is null");
    requireNonNull(firstCoeff, "firstCoeff is null");
  }

  /**
   * Clips from coefficient files and folders (every {@code *.mat} in a folder, by name, except the
   * {@code first_coeff} file itself) that share one crop and one {@code first_coeff}.
   */
  public static List<SadTalkerClip> sharingOneSource(List<Path> coeffs, Path crop, Path first) {
    List<SadTalkerClip> clips = new ArrayList<>();
    for (Path path : coeffs) {
      for (Path file : matFiles(path)) {
        if (!sameFile(file, first)) {
          clips.add(new SadTalkerClip(stem(file), file, crop, first));
        }
      }
    }
    return clips;
  }

  /**
   * Clips from a CSV manifest with a header naming its columns {@code coeffs}, {@code crop}, {@code
   * first_coeff} and optionally {@code clip_id}; relative paths are resolved against the manifest's
   * folder; blank lines and lines starting with {@code #} are skipped.
   */
  public static List<SadTalkerClip> fromManifest(Path manifest) {
    List<String> lines;
    try {
      lines = Files.readAllLines(manifest);
    } catch (IOException e) {
      throw new ImportException(manifest, "cannot read the manifest: " + e.getMessage(), e);
    }
    Path base = manifest.toAbsolutePath().getParent();
    Map<String, Integer> columns = null;
    List<SadTalkerClip> clips = new ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] cells = line.split(",", -1);
      if (columns == null) {
        columns = header(manifest, cells);
        continue;
      }
      if (cells.length != columns.size()) {
        throw new ImportException(
            manifest,
            String.format(
                "line %d has %d cells where the header has %d (%s); paths with commas are not"
                    + " supported",
                n + 1, cells.length, columns.size(), String.join(",", columns.keySet())));
      }
      Path coeffs = base.resolve(cells[columns.get("coeffs")].strip());
      Integer id = columns.get("clip_id");
      clips.add(
          new SadTalkerClip(
              id == null ? stem(coeffs) : cells[id].strip(),
              coeffs,
              base.resolve(cells[columns.get("crop")].strip()),
              base.resolve(cells[columns.get("first_coeff")].strip())));
    }
    if (columns == null) {
      throw new ImportException(manifest, "is empty: it needs a header line and a line per clip");
    }
    return clips;
  }

  private static Map<String, Integer> header(Path manifest, String[] cells) {
    Map<String, Integer> columns = new HashMap<>();
    for (int i = 0; i < cells.length; i++) {
      columns.put(cells[i].strip().toLowerCase(Locale.ROOT), i);
    }
    for (String needed : List.of("coeffs", "crop", "first_coeff")) {
      if (!columns.containsKey(needed)) {
        throw new ImportException(
            manifest,
            "the header line "
                + String.join(",", cells)
                + " has no column "
                + needed
                + ": write a first line such as clip_id,coeffs,crop,first_coeff");
      }
    }
    return columns;
  }

  private static List<Path> matFiles(Path path) {
    if (!Files.isDirectory(path)) {
      return List.of(path);
    }
    try (Stream<Path> files = Files.list(path)) {
      List<Path> mats =
          files
              .filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".mat"))
              .filter(Files::isRegularFile)
              .sorted()
              .toList();
      if (mats.isEmpty()) {
        throw new ImportException(
            path, "holds no .mat file: pass the folder audio2coeff wrote its coefficients to");
      }
      return mats;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + path + ": " + e.getMessage(), e);
    }
  }

  private static boolean sameFile(Path a, Path b) {
    return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
  }

  private static String stem(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}
