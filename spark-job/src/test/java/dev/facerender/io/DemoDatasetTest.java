package dev.facerender.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.codec.ImageCodec;
import dev.facerender.codec.RgbImage;
import dev.facerender.model.BuiltinModels;
import dev.facerender.run.LocalSpark;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoDatasetTest {
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
  void theSameSeedWritesTheSameDatasetAndAnotherSeedAnother() {
    DemoDataset.generate(spark, dir.resolve("a").toString(), 3, 8, 48, 5);
    DemoDataset.generate(spark, dir.resolve("b").toString(), 3, 8, 48, 5);
    DemoDataset.generate(spark, dir.resolve("c").toString(), 3, 8, 48, 6);

    assertThat(rows("a", "frames")).hasSize(24).isEqualTo(rows("b", "frames"));
    assertThat(rows("a", "frames")).isNotEqualTo(rows("c", "frames"));
    List<Row> sourcesA = rows("a", "sources");
    List<Row> sourcesB = rows("b", "sources");
    assertThat(sourcesA).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat((byte[]) sourcesA.get(i).getAs("image")).isEqualTo(sourcesB.get(i).getAs("image"));
    }
  }

  @Test
  void aBadFractionPoisonsExactlyThatShareOfRowsSpreadEvenly() {
    DemoDataset.Written written =
        DemoDataset.generate(spark, dir.resolve("bad").toString(), 4, 50, 32, 1, "parquet", 0.05);

    List<Row> frames = rows("bad", "frames");
    List<Long> bad =
        frames.stream()
            .filter(r -> Float.isNaN(r.<scala.collection.Seq<Float>>getAs("coeffs").head()))
            .map(
                r ->
                    Long.parseLong(r.<String>getAs("clip_id").substring(5)) * 50
                        + r.<Integer>getAs("frame_index"))
            .sorted()
            .toList();
    assertThat(written.badFrames()).isEqualTo(10);
    assertThat(bad).hasSize(10);
    // One in twenty: consecutive bad rows are exactly 20 apart.
    for (int i = 1; i < bad.size(); i++) {
      assertThat(bad.get(i) - bad.get(i - 1)).isEqualTo(20);
    }
  }

  @Test
  void sourcesAreFacesOfTheRequestedSizeThatDifferPerClip() throws Exception {
    RgbImage a = ImageCodec.decode(DemoFaces.png(1, 0, 96));
    RgbImage b = ImageCodec.decode(DemoFaces.png(1, 1, 96));
    assertThat(a.width()).isEqualTo(96);
    assertThat(a.height()).isEqualTo(96);
    assertThat(a.bgr()).isNotEqualTo(b.bgr());
  }

  @Test
  void coefficientsMoveLikeSpeechMouthBlinksAndSway() {
    double jawMin = 1;
    double jawMax = 0;
    double blinkMax = 0;
    double yawMin = 1;
    double yawMax = -1;
    for (int frame = 0; frame < 250; frame++) {
      float[] c = DemoMotion.coefficients(3, 0, frame);
      assertThat(c).hasSize(BuiltinModels.WARP_COEFFS);
      jawMin = Math.min(jawMin, c[BuiltinModels.JAW]);
      jawMax = Math.max(jawMax, c[BuiltinModels.JAW]);
      blinkMax = Math.max(blinkMax, c[BuiltinModels.BLINK]);
      yawMin = Math.min(yawMin, c[BuiltinModels.YAW]);
      yawMax = Math.max(yawMax, c[BuiltinModels.YAW]);
    }
    assertThat(jawMin).isLessThan(0.05);
    assertThat(jawMax).isGreaterThan(0.4);
    assertThat(blinkMax).isGreaterThan(0.5);
    assertThat(yawMax - yawMin).isGreaterThan(0.1);
    float[] now = DemoMotion.coefficients(3, 0, 100);
    float[] next = DemoMotion.coefficients(3, 0, 101);
    assertThat(Math.abs(now[BuiltinModels.YAW] - next[BuiltinModels.YAW])).isLessThan(0.02f);
  }

  private List<Row> rows(String name, String table) {
    return spark
        .read()
        .parquet(dir.resolve(name).resolve(table).toString())
        .orderBy("clip_id", table.equals("frames") ? "frame_index" : "clip_id")
        .collectAsList();
  }
}
