package dev.facerender.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.io.DemoFaces;
import dev.facerender.io.SafeNames;
import dev.facerender.io.Schemas;
import dev.facerender.run.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clip ids are data: hostile ones render and export into their own folder under the target. */
class FrameExportTest {
  private static final List<String> HOSTILE =
      List.of(
          "../escape", "a/b", "/abs", ".", "..", "bell\u0007tab\t", "ünï", "x".repeat(300), "ok");

  private static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("local[2]");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void hostileClipIdsBecomeDistinctFoldersInsideTheExportRoot() throws Exception {
    List<Row> sources = new ArrayList<>();
    List<Row> frames = new ArrayList<>();
    for (String clip : HOSTILE) {
      sources.add(RowFactory.create(clip, DemoFaces.png(1, 0, 32)));
      for (int i = 0; i < 2; i++) {
        frames.add(RowFactory.create(clip, i, LocalSpark.seq(Collections.nCopies(70, 0f))));
      }
    }
    Path input =
        LocalSpark.writeInput(spark, dir.resolve("input"), sources, Schemas.SOURCES, frames);
    Path out = dir.resolve("out");
    LocalSpark.render(spark, input, out, Map.of());
    Path to = dir.resolve("export").resolve("inner");

    long written = FrameExport.export(spark, out, to, List.of());

    assertThat(written).isEqualTo(frames.size());
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir.resolve("export"))) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(files).hasSize(frames.size()).allSatisfy(f -> assertThat(f).startsWith(to));
    Set<Path> folders = files.stream().map(Path::getParent).collect(Collectors.toSet());
    assertThat(folders)
        .hasSize(HOSTILE.size())
        .allSatisfy(f -> assertThat(f.getParent()).isEqualTo(to));
    assertThat(folders.stream().map(f -> f.getFileName().toString()))
        .containsExactlyInAnyOrderElementsOf(HOSTILE.stream().map(SafeNames::of).toList())
        .allSatisfy(
            name -> {
              assertThat(name).doesNotContain("/").doesNotStartWith(".");
              assertThat(name.chars()).allMatch(c -> c > 0x20 && c < 0x7f);
              assertThat(name.length()).isLessThanOrEqualTo(200);
            });
    assertThat(to.resolve(SafeNames.of("ok")).resolve("000001.png")).exists();
  }
}
