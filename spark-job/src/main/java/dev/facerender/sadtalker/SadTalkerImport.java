package dev.facerender.sadtalker;

import static java.util.Objects.requireNonNull;

import dev.facerender.io.ParquetRowWriter;
import dev.facerender.io.Schemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.RowFactory;
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

  private static final long FRAME_ROWS_PER_FILE = 1_000_000;
  private static final int SOURCE_ROWS_PER_FILE = 1_000;
  private static final long ROW_GROUP_BYTES = 64L << 20;

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

  private final Options options;
  private final Map<Path, float[]> sourceCoeffs = new HashMap<>();
  private final Map<Path, byte[]> crops = new HashMap<>();

  public SadTalkerImport(Options options) {
    this.options = requireNonNull(options, "options is null");
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
      try (Tables tables = new Tables(staging)) {
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
            frameRows += tables.write(clip, read(clip));
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

  /** One clip's rows, read and checked: nothing of it is written unless all of it is good. */
  private record ClipRows(float[][] frames, float[] source, byte[] crop) {}

  private ClipRows read(SadTalkerClip clip) {
    Preprocess preprocess = options.preprocess();
    float[] source =
        sourceCoeffs.computeIfAbsent(
            clip.firstCoeff(),
            file ->
                FacerenderBatch.sourceCoefficients(
                    CoefficientMatrix.read(
                            file,
                            "first_coeff file",
                            preprocess.coeffCount(),
                            preprocess == Preprocess.FULL
                                ? "pass the .mat SadTalker's preprocess wrote for the source image"
                                    + " (73 columns with --preprocess full: 70 coefficients and"
                                    + " the 3 crop parameters; with a 70-column file use"
                                    + " --preprocess crop)"
                                : "pass the .mat SadTalker's preprocess wrote for the source image"
                                    + " (first_frame_dir/<image>.mat)")
                        .values(),
                    preprocess));
    CoefficientMatrix audio =
        CoefficientMatrix.read(
            clip.coeffs(),
            "coefficient file",
            Preprocess.AUDIO_COEFFS,
            "pass the .mat audio2coeff wrote for the clip (<image>##<audio>.mat, 70 columns: 64"
                + " expression, 3 rotation, 3 translation)");
    double[][] first = {toDoubles(source)};
    float[][] frames =
        FacerenderBatch.frameCoefficients(
            audio, first, preprocess, options.expressionScale(), options.still());
    byte[] crop = crops.computeIfAbsent(clip.crop(), file -> CropImage.read(file, options.size()));
    return new ClipRows(frames, source, crop);
  }

  private static double[] toDoubles(float[] values) {
    double[] doubles = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      doubles[i] = values[i];
    }
    return doubles;
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

  /** The two tables being written, a new part file every so many rows. */
  private static final class Tables implements AutoCloseable {
    private final Path root;
    private final Configuration conf = new Configuration();
    private ParquetRowWriter frames;
    private ParquetRowWriter sources;
    private int frameParts;
    private int sourceParts;

    Tables(Path root) throws IOException {
      this.root = root;
      Files.createDirectories(root.resolve("frames"));
      Files.createDirectories(root.resolve("sources"));
    }

    long write(SadTalkerClip clip, ClipRows rows) {
      if (sources == null || sources.rows() >= SOURCE_ROWS_PER_FILE) {
        sources = next(sources, "sources", sourceParts++, SOURCES, false);
      }
      sources.write(RowFactory.create(clip.clipId(), rows.crop(), rows.source()));
      if (frames == null || frames.rows() >= FRAME_ROWS_PER_FILE) {
        frames = next(frames, "frames", frameParts++, Schemas.FRAMES, true);
      }
      for (int i = 0; i < rows.frames().length; i++) {
        frames.write(RowFactory.create(clip.clipId(), i, rows.frames()[i]));
      }
      return rows.frames().length;
    }

    private ParquetRowWriter next(
        ParquetRowWriter done, String table, int part, StructType schema, boolean compressed) {
      if (done != null) {
        done.close();
      }
      String file =
          root.resolve(table).resolve(String.format("part-%05d.parquet", part)).toString();
      return new ParquetRowWriter(file, schema, conf, compressed, ROW_GROUP_BYTES);
    }

    @Override
    public void close() {
      try (ParquetRowWriter f = frames;
          ParquetRowWriter s = sources) {
        // closes both, the second even when the first fails
      }
    }
  }
}
