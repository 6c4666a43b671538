package dev.facerender.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.io.DemoFaces;
import dev.facerender.io.Schemas;
import dev.facerender.job.RunSummary;
import dev.facerender.model.BuiltinModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * builtin:sadtalker-arch, width-scaled, through the real job: 27-frame windows, encode_source once
 * per clip, frames of the source's size, the same bytes with and without OOM splits, every input
 * frame accounted for once.
 */
class SadTalkerArchJobTest {
  private static final int SIZE = 128;
  private static final String MODEL = BuiltinModels.SADTALKER_ARCH + "?width=0.125";

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
  void aSmallClipRendersTheSameFramesTwiceAndAfterSplitsWithExactAccounting() {
    List<Row> sources =
        List.of(
            RowFactory.create("a", DemoFaces.png(1, 0, SIZE)),
            RowFactory.create("b", DemoFaces.png(2, 1, SIZE)));
    List<Row> frames = new ArrayList<>();
    addClip(frames, "a", 4, 70);
    addClip(frames, "b", 3, 70);
    addClip(frames, "bad", 1, 69); // a wrong coefficient count: rejected, not rendered
    Path input = LocalSpark.writeInput(spark, dir.resolve("in"), sources, Schemas.SOURCES, frames);
    Map<String, String> conf =
        Map.of(
            "spark.facerender.model", MODEL,
            "spark.facerender.windowRadius", "13",
            "spark.facerender.batchSize", "4",
            // Byte-identical frames need the same intra-op threads: libtorch's reductions split
            // by thread count. Without a fixed count a task's threads follow the tasks alive,
            // which differ between a run and its split twin.
            "spark.facerender.torchThreads", "1",
            // One bad row of eight is the point of the test, not a failed run.
            "spark.facerender.maxErrorRate", "0.5");

    RunSummary first = LocalSpark.render(spark, input, dir.resolve("first"), conf);
    Map<String, String> faulty = new java.util.HashMap<>(conf);
    faulty.put("spark.facerender.injectOomAbove", "1");
    RunSummary split = LocalSpark.render(spark, input, dir.resolve("split"), faulty);

    for (RunSummary run : List.of(first, split)) {
      assertThat(run.inputFrames()).isEqualTo(8);
      assertThat(run.renderedFrames()).isEqualTo(7);
      assertThat(run.errorFrames()).isEqualTo(1);
      assertThat(run.errors())
          .singleElement()
          .satisfies(e -> assertThat(e.clipId()).isEqualTo("bad"));
    }
    assertThat(split.ooms()).isPositive();
    List<Row> a = LocalSpark.frames(spark, dir.resolve("first"));
    List<Row> c = LocalSpark.frames(spark, dir.resolve("split"));
    assertThat(a).hasSize(7);
    assertThat(a.stream().map(r -> r.getAs("clip_id") + "/" + r.getAs("frame_index")))
        .containsExactly("a/0", "a/1", "a/2", "a/3", "b/0", "b/1", "b/2");
    for (int i = 0; i < a.size(); i++) {
      assertThat((int) a.get(i).getAs("width")).isEqualTo(SIZE);
      assertThat((int) a.get(i).getAs("height")).isEqualTo(SIZE);
      byte[] pixels = LocalSpark.decode(a.get(i)).bgr();
      assertThat(LocalSpark.decode(c.get(i)).bgr()).isEqualTo(pixels);
    }
    assertThat(LocalSpark.decode(a.get(0)).bgr()).isNotEqualTo(LocalSpark.decode(a.get(1)).bgr());
  }

  private static void addClip(List<Row> frames, String clip, int length, int coeffs) {
    Random random = new Random(clip.hashCode());
    for (int i = 0; i < length; i++) {
      List<Float> values = new ArrayList<>();
      for (int k = 0; k < coeffs; k++) {
        values.add((float) (random.nextGaussian() * 0.3));
      }
      frames.add(RowFactory.create(clip, i, LocalSpark.seq(values)));
    }
  }
}
