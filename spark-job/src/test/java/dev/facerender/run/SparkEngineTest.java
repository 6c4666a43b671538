package dev.facerender.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.codec.RgbImage;
import dev.facerender.io.InputException;
import dev.facerender.job.ProgressListener;
import dev.facerender.job.RenderRequest;
import dev.facerender.job.RunSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkEngineTest {
  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path input;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("local[2]");
    input = LocalSpark.demo(spark, dir, 3, 10, 64);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void everyInputFrameBecomesExactlyOneDecodablePngOfTheSourceSize() throws Exception {
    Path out = dir.resolve("render");
    RunSummary run = LocalSpark.render(spark, input, out, Map.of());

    List<Row> frames = LocalSpark.frames(spark, out);
    assertThat(frames).hasSize(30);
    Set<String> keys = new HashSet<>();
    for (Row frame : frames) {
      keys.add(frame.getAs("clip_id") + "#" + frame.getAs("frame_index"));
      assertThat((String) frame.getAs("format")).isEqualTo("png");
      RgbImage image = LocalSpark.decode(frame);
      assertThat(image.width()).isEqualTo(64);
      assertThat(image.height()).isEqualTo(64);
    }
    assertThat(keys).hasSize(30);
    assertThat(run.inputFrames()).isEqualTo(30);
    assertThat(run.renderedFrames()).isEqualTo(30);
    assertThat(run.errorFrames()).isZero();

    List<Row> metrics = spark.read().parquet(out.resolve("metrics").toString()).collectAsList();
    assertThat(metrics).hasSize(run.batches().size());
    assertThat(metrics.stream().mapToInt(r -> r.<Integer>getAs("frames")).sum()).isEqualTo(30);
    assertThat(metrics).allSatisfy(r -> assertThat(r.<Integer>getAs("planned_batch")).isPositive());
    assertThat(spark.read().parquet(out.resolve("errors").toString()).count()).isZero();
    assertThat(out.resolve("run.json")).exists();
    assertThat(Files.readString(out.resolve("report.html")))
        .contains("<table id=\"totals\">")
        .contains("data:image/png;base64,");
  }

  @Test
  void framesOfAClipMoveOverTime() {
    Path out = dir.resolve("motion");
    LocalSpark.render(spark, input, out, Map.of());
    List<Row> frames = LocalSpark.frames(spark, out);
    RgbImage first = LocalSpark.decode(frames.get(0));
    double largestChange = 0;
    for (Row frame : frames.subList(1, 10)) {
      RgbImage image = LocalSpark.decode(frame);
      long sum = 0;
      for (int i = 0; i < first.bgr().length; i++) {
        sum += Math.abs((image.bgr()[i] & 0xff) - (first.bgr()[i] & 0xff));
      }
      largestChange = Math.max(largestChange, sum / (double) first.bgr().length);
    }
    assertThat(largestChange).isGreaterThan(1.0);
  }

  /** No shared mount needed: the run files go through the output's Hadoop file system too. */
  @Test
  void aRunWritesEverythingToAnOutputOnAnotherHadoopFileSystem() throws Exception {
    TestFs.register(spark);
    Path local = dir.resolve("remote-out");
    String uri = "testfs://" + local.toAbsolutePath();

    RunSummary run =
        new SparkEngine(spark)
            .run(
                new RenderRequest(
                    input.resolve("frames").toString(),
                    input.resolve("sources").toString(),
                    uri,
                    null,
                    "error-if-exists",
                    0,
                    Map.of()),
                ProgressListener.NONE);

    assertThat(run.out()).startsWith("testfs:");
    assertThat(local.resolve("_SUCCESS")).exists();
    assertThat(local.resolve("run.json")).content().contains("\"status\" : \"succeeded\"");
    assertThat(local.resolve("report.html")).isNotEmptyFile();
    assertThat(local.resolve("metrics.json")).isNotEmptyFile();
    assertThat(local.resolve(".run.json.crc")).doesNotExist();
    assertThat(spark.read().parquet(uri + "/frames").count()).isEqualTo(run.inputFrames());
  }

  @Test
  void renderingIntoAnExistingOutputWithoutModeFailsAndLeavesItByteIdentical() throws Exception {
    Path out = dir.resolve("existing");
    LocalSpark.render(spark, input, out, Map.of("spark.facerender.batchSize", "4"));
    Map<Path, byte[]> before = snapshot(out);

    assertThatThrownBy(() -> LocalSpark.render(spark, input, out, Map.of()))
        .isInstanceOf(InputException.class)
        .hasMessageContaining("already exists")
        .hasMessageContaining("--mode overwrite");
    Map<Path, byte[]> after = snapshot(out);
    assertThat(after).containsOnlyKeys(before.keySet());
    after.forEach(
        (path, bytes) -> assertThat(bytes).as(path.toString()).isEqualTo(before.get(path)));
    assertThat(before).containsKey(Path.of("_SUCCESS"));
  }

  private static Map<Path, byte[]> snapshot(Path root) throws IOException {
    Map<Path, byte[]> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(path), Files.readAllBytes(path));
      }
    }
    return files;
  }
}
