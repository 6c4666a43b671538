package dev.facerender.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.codec.ImageCodec;
import dev.facerender.codec.RgbImage;
import dev.facerender.job.RunSummary;
import dev.facerender.run.LocalSpark;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bytedeco.pytorch.ClassType;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.QualifiedNameOptional;
import org.bytedeco.pytorch.SimpleSelf;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A TorchScript file built and saved at run time renders through --model FILE. */
class ModelFileTest {
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
  void aSavedModuleRendersEveryFrameAsItsForwardSays() throws Exception {
    Path model = dir.resolve("invert.pt");
    try (JitModule module = new JitModule(new QualifiedName("test.Invert"))) {
      ClassType type = module.type();
      type.compilation_unit()
          .define(
              new QualifiedNameOptional(type.name().get()),
              "def forward(self, source: Tensor, coeffs: Tensor) -> Tensor:\n"
                  + "    return 1.0 - source\n",
              torch.nativeResolver(),
              new SimpleSelf(type));
      module.save(model.toString());
    }
    Path input = LocalSpark.demo(spark, dir, 2, 5, 32);
    Path out = dir.resolve("out");

    RunSummary run =
        LocalSpark.render(spark, input, out, Map.of("spark.facerender.model", model.toString()));

    assertThat(run.renderedFrames()).isEqualTo(10);
    List<Row> sources =
        spark
            .read()
            .parquet(input.resolve("sources").toString())
            .orderBy("clip_id")
            .collectAsList();
    RgbImage source = ImageCodec.decode((byte[]) sources.get(0).getAs("image"));
    List<Row> frames = LocalSpark.frames(spark, out);
    assertThat(frames).hasSize(10);
    RgbImage frame = LocalSpark.decode(frames.get(0));
    for (int i = 0; i < source.bgr().length; i++) {
      assertThat(frame.bgr()[i] & 0xff).isEqualTo(255 - (source.bgr()[i] & 0xff));
    }
  }
}
