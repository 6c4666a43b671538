package dev.facerender.sadtalker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Matrix;

/**
 * The import's bookkeeping, without Python: every clip ends in the tables or in the error (or, with
 * skip-bad, in {@code rejected.tsv}) exactly once, and a failed import writes nothing.
 */
class SadTalkerImportTest {
  private static final int SIZE = 32;
  private static final SadTalkerImport.Options CROP =
      new SadTalkerImport.Options(Preprocess.of("crop"), 1.0, false, SIZE);

  @TempDir Path dir;

  @Test
  void aBadClipStopsTheImportNamingItsFileAndNothingIsWritten() throws IOException {
    List<SadTalkerClip> clips = List.of(clip("good", 5, 70), clip("narrow", 5, 12));
    Path out = dir.resolve("out");

    assertThatThrownBy(() -> new SadTalkerImport(CROP).run(clips, out, false))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("1 of 2 clips cannot be imported; nothing was written")
        .hasMessageContaining(clips.get(1).coeffs().toString())
        .hasMessageContaining("--skip-bad");
    assertThat(out.resolve("frames")).doesNotExist();
    assertThat(out.resolve("sources")).doesNotExist();
    assertThat(out.resolve(".import-staging")).doesNotExist();
  }

  @Test
  void withSkipBadTheGoodClipsAreWrittenAndTheOthersListed() throws IOException {
    SadTalkerClip good = clip("good", 7, 70);
    SadTalkerClip narrow = clip("narrow", 5, 12);
    SadTalkerClip again = new SadTalkerClip("good", clip("other", 3, 70).coeffs(), crop(), first());
    Path out = dir.resolve("out");

    SadTalkerImport.Result result =
        new SadTalkerImport(CROP).run(List.of(good, narrow, again), out, true);

    assertThat(result.clips()).isEqualTo(1);
    assertThat(result.frames()).isEqualTo(7);
    assertThat(result.rejected()).hasSize(2);
    assertThat(rows(out.resolve("frames"))).isEqualTo(7);
    assertThat(rows(out.resolve("sources"))).isEqualTo(1);
    List<String> rejected = Files.readAllLines(out.resolve(SadTalkerImport.REJECTED));
    assertThat(rejected).hasSize(3);
    assertThat(rejected.get(0)).isEqualTo("file\tproblem");
    assertThat(rejected.get(1)).startsWith(narrow.coeffs() + "\t");
    assertThat(rejected.get(2))
        .startsWith(again.coeffs() + "\t")
        .contains("clip id 'good' is taken by an earlier clip");
    assertThat(out.resolve(".import-staging")).doesNotExist();
  }

  private SadTalkerClip clip(String name, int frames, int columns) throws IOException {
    Path coeffs = dir.resolve(name + ".mat");
    writeMat(coeffs, frames, columns);
    return new SadTalkerClip(name, coeffs, crop(), first());
  }

  private Path first() throws IOException {
    Path file = dir.resolve("first.mat");
    if (!Files.exists(file)) {
      writeMat(file, 1, 70);
    }
    return file;
  }

  private Path crop() throws IOException {
    Path file = dir.resolve("crop.png");
    if (!Files.exists(file)) {
      ImageIO.write(
          new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_3BYTE_BGR), "png", file.toFile());
    }
    return file;
  }

  private static void writeMat(Path file, int rows, int columns) throws IOException {
    Matrix matrix = Mat5.newMatrix(rows, columns);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < columns; c++) {
        matrix.setDouble(r, c, 0.01 * (r + 1) + 0.001 * c);
      }
    }
    MatFile mat = Mat5.newMatFile().addArray(CoefficientMatrix.KEY, matrix);
    Mat5.writeToFile(mat, file.toFile());
  }

  private static long rows(Path table) throws IOException {
    long rows = 0;
    try (var parts = Files.list(table)) {
      for (Path part : parts.filter(p -> p.toString().endsWith(".parquet")).toList()) {
        try (ParquetFileReader reader =
            ParquetFileReader.open(
                HadoopInputFile.fromPath(
                    new org.apache.hadoop.fs.Path(part.toUri()), new Configuration()))) {
          rows += reader.getRecordCount();
        }
      }
    }
    return rows;
  }
}
