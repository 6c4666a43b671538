package dev.facerender.sadtalker;

import static java.util.Objects.requireNonNull;

import dev.facerender.io.Schemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * SadTalker's per-clip files to Facerender's input tables: {@code OUT/frames} (one row per frame,
 * the coefficients SadTalker's batch builder feeds its renderer) and {@code OUT/sources} (one row
 * per clip: the crop's bytes and the source's coefficients). Clips are read one at a time; shared
 * sources are read once. Nothing is dropped silently: a clip whose files are bad stops the import
 * (every bad clip listed, nothing written) or, with {@code skipBad}, is listed in {@code
 * OUT/rejected.tsv} and left out.
 */
public final class SadTalkerImport {
  /** Sources schema with the source coefficients a SadTalker export's forward takes. */
  public static final StructType SOURCES =
      Schemas.SOURCES.add("coeffs", DataTypes.createArrayType(DataTypes.FloatType));

  public static final String REJECTED = "rejected.tsv";

  /**
   * How SadTalker was run: its {@code --preprocess}, {@code --expression_scale}, {@code --still}.
   */
  public record Options(Preprocess preprocess, double expressionScale, boolean still, int size) {
    public Options {
      requireNonNull(preprocess, "preprocess is null");
      if (!Double.isFinite(expressionScale)) {
        throw new IllegalArgumentException("--expression-scale must be finite");
      }
      if (size < 1) {
        throw new IllegalArgumentException("--size must be positive, got " + size);
      }
    }
  }

  /** What an import wrote, and the clips it left out (only with {@code skipBad}). */
  public record Result(int clips, long frames, List<ImportException> rejected) {
    public Result {
      rejected = List.copyOf(rejected);
    }
  }

  private final ClipReader reader;

  public SadTalkerImport(Options options) {
    this.reader = new ClipReader(requireNonNull(options, "options is null"));
  }

  /**
   * Imports {@code clips} into {@code out}, which must hold no {@code frames} or {@code sources}
   * yet. Throws an {@link ImportException} listing every bad clip unless {@code skipBad}.
   */
  public Result run(List<SadTalkerClip> clips, Path out, boolean skipBad) {
    Path frames = out.resolve("frames");
    Path sources = out.resolve("sources");
    for (Path table : List.of(frames, sources)) {
      if (Files.exists(table)) {
        throw new ImportException(table, "exists already: choose another --out or remove it");
      }
    }
    if (clips.isEmpty()) {
      throw new ImportException(out, "no clips to import: pass --coeffs or --manifest");
    }
    Path staging = out.resolve(".import-staging");
    List<ImportException> rejected = new ArrayList<>();
    int written = 0;
    long frameRows = 0;
    try {
      deleteTree(staging);
      try (ImportTables tables = new ImportTables(staging)) {
        Set<String> ids = new HashSet<>();
        for (SadTalkerClip clip : clips) {
          if (!ids.add(clip.clipId())) {
            rejected.add(
                new ImportException(
                    clip.coeffs(),
                    "clip id '"
                        + clip.clipId()
                        + "' is taken by an earlier clip: give each clip its own id (coefficient"
                        + " file name, or a clip_id column in the manifest)"));
            continue;
          }
          try {
            frameRows += tables.write(clip, reader.read(clip));
            written++;
          } catch (ImportException bad) {
            rejected.add(bad);
          }
        }
      }
      if (!rejected.isEmpty() && !skipBad) {
        throw failed(rejected, clips.size());
      }
      if (written == 0) {
        throw failed(rejected, clips.size());
      }
      Files.move(staging.resolve("frames"), frames, StandardCopyOption.ATOMIC_MOVE);
      Files.move(staging.resolve("sources"), sources, StandardCopyOption.ATOMIC_MOVE);
      if (!rejected.isEmpty()) {
        writeRejected(out.resolve(REJECTED), rejected);
      }
      return new Result(written, frameRows, rejected);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write under " + out + ": " + e.getMessage(), e);
    } finally {
      deleteTree(staging);
    }
  }

  private static ImportException failed(List<ImportException> rejected, int clips) {
    StringBuilder text =
        new StringBuilder(
            String.format(
                "%d of %d clips cannot be imported; nothing was written (fix them, or pass"
                    + " --skip-bad to import the others and list these in %s):",
                rejected.size(), clips, REJECTED));
    for (ImportException bad : rejected) {
      text.append(System.lineSeparator()).append("  ").append(bad.getMessage());
    }
    ImportException error = new ImportException(text.toString());
    rejected.forEach(error::addSuppressed);
    return error;
  }

  private static void writeRejected(Path file, List<ImportException> rejected) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("file\tproblem");
    for (ImportException bad : rejected) {
      String problem = bad.getMessage().substring(bad.file().toString().length() + 2);
      lines.add(bad.file() + "\t" + problem.replace('\t', ' ').replace('\n', ' '));
    }
    Files.write(file, lines);
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove " + root + ": " + e.getMessage(), e);
    }
  }
}
