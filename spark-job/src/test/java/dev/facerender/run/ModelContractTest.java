package dev.facerender.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.codec.ImageCodec;
import dev.facerender.codec.RgbImage;
import dev.facerender.io.DemoFaces;
import dev.facerender.io.Schemas;
import dev.facerender.job.ProgressListener;
import dev.facerender.job.RenderRequest;
import dev.facerender.job.RunSummary;
import dev.facerender.model.ModelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** User models in the contract: windows, encode_source, source coefficients, roots, shipping. */
class ModelContractTest {
  private static final byte[] FACE = DemoFaces.png(3, 1, 32);
  private static final int RADIUS = 13;

  private static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("local[2]");
    TestFs.register(spark);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /**
   * Coefficient 0 of each frame is its position in the clip and coefficient 1 the clip's last
   * position: the model rebuilds the window it expects (centre -13..+13, clamped to the clip) and
   * returns the source only where the window it got matches, black elsewhere.
   */
  @Test
  void windowsOfRadius13CarryTheNeighboursEdgePaddedAtBothClipEnds() {
    Path model =
        TestModels.save(
            dir.resolve("window.pt"),
            """
            def forward(self, source: Tensor, coeffs: Tensor) -> Tensor:
                n = coeffs.size(0)
                centre = coeffs[:, 0, 13].view([n, 1])
                last = coeffs[:, 1, 13].view([n, 1])
                offsets = torch.arange(-13, 14).float().view([1, 27])
                expected = torch.minimum(torch.clamp(centre + offsets, min=0.0), last)
                ok = (coeffs[:, 0, :] == expected).all(1).float()
                if coeffs.size(1) != 70 or coeffs.size(2) != 27:
                    ok = ok * 0.0
                return source.expand([n, 3, source.size(2), source.size(3)]) * ok.view([n, 1, 1, 1])
            """);
    List<Row> sources = List.of(RowFactory.create("short", FACE), RowFactory.create("long", FACE));
    List<Row> frames = new ArrayList<>();
    addClip(frames, "short", 5);
    addClip(frames, "long", 40);
    Path input =
        LocalSpark.writeInput(spark, dir.resolve("window"), sources, Schemas.SOURCES, frames);

    RunSummary run =
        LocalSpark.renderLocally(
            input,
            dir.resolve("window-out"),
            Map.of(
                "spark.facerender.model", model.toUri().toString(),
                "spark.facerender.modelRoots", dir.toUri().toString(),
                "spark.facerender.windowRadius", Integer.toString(RADIUS),
                "spark.facerender.batchSize", "4"));

    assertThat(run.renderedFrames()).isEqualTo(45);
    RgbImage source = decode(FACE);
    for (Row frame : LocalSpark.frames(spark, dir.resolve("window-out"))) {
      assertThat(LocalSpark.decode(frame).bgr())
          .as("frame %s of %s", frame.getAs("frame_index"), frame.getAs("clip_id"))
          .isEqualTo(source.bgr());
    }
  }

  /**
   * encode_source bumps a counter buffer and forward paints it into every pixel: the brightest
   * frame shows how often encode_source ran in the task, which must be once per clip, not per batch
   * or per frame.
   */
  @Test
  void encodeSourceRunsOncePerClipPerTask() {
    Path model =
        TestModels.save(
            dir.resolve("counting.pt"),
            """
            def encode_source(self, source: Tensor) -> Tensor:
                self.calls.add_(1.0)
                return source * 1.0

            def forward(self, source: Tensor, coeffs: Tensor) -> Tensor:
                n = coeffs.size(0)
                return torch.zeros([n, 3, source.size(2), source.size(3)]) + self.calls / 255.0
            """,
            "calls",
            torch.zeros(1));
    List<Row> sources = new ArrayList<>();
    List<Row> frames = new ArrayList<>();
    for (String clip : List.of("a", "b", "c")) {
      sources.add(RowFactory.create(clip, FACE));
      addClip(frames, clip, 10);
    }
    Path input =
        LocalSpark.writeInput(spark, dir.resolve("count"), sources, Schemas.SOURCES, frames);

    RunSummary run =
        new SparkEngine(spark)
            .run(
                new RenderRequest(
                    input.resolve("frames").toString(),
                    input.resolve("sources").toString(),
                    dir.resolve("count-out").toString(),
                    null,
                    "error-if-exists",
                    1,
                    Map.of(
                        "spark.facerender.model",
                        model.toString(),
                        "spark.facerender.batchSize",
                        "4")),
                ProgressListener.NONE);

    assertThat(run.renderedFrames()).isEqualTo(30);
    assertThat(run.batches()).hasSizeGreaterThanOrEqualTo(8);
    int calls =
        LocalSpark.frames(spark, dir.resolve("count-out")).stream()
            .mapToInt(f -> LocalSpark.decode(f).bgr()[0] & 0xff)
            .max()
            .orElseThrow();
    assertThat(calls).isEqualTo(3);
  }

  @Test
  void aModelWhoseForwardTakesSourceCoefficientsGetsEachClipsOwn() {
    Path model =
        TestModels.save(
            dir.resolve("source-coeffs.pt"),
            """
            def forward(self, source: Tensor, coeffs: Tensor, source_coeffs: Tensor) -> Tensor:
                n = coeffs.size(0)
                grey = source_coeffs[:, 0].view([n, 1, 1, 1])
                return torch.zeros([n, 3, source.size(2), source.size(3)]) + grey
            """);
    List<Row> sources =
        List.of(
            RowFactory.create("dim", FACE, LocalSpark.seq(coeffs(0.2f))),
            RowFactory.create("bright", FACE, LocalSpark.seq(coeffs(0.6f))),
            RowFactory.create("none", FACE, null));
    List<Row> frames = new ArrayList<>();
    addClip(frames, "dim", 3);
    addClip(frames, "bright", 3);
    addClip(frames, "none", 3);
    Path input =
        LocalSpark.writeInput(
            spark,
            dir.resolve("source-coeffs"),
            sources,
            new StructType()
                .add("clip_id", DataTypes.StringType)
                .add("image", DataTypes.BinaryType)
                .add("coeffs", DataTypes.createArrayType(DataTypes.FloatType)),
            frames);

    RunSummary run =
        LocalSpark.renderLocally(
            input,
            dir.resolve("source-coeffs-out"),
            Map.of(
                "spark.facerender.model", model.toString(), "spark.facerender.maxErrorRate", "1"));

    assertThat(run.renderedFrames()).isEqualTo(6);
    for (Row frame : LocalSpark.frames(spark, dir.resolve("source-coeffs-out"))) {
      int expected = frame.getAs("clip_id").equals("dim") ? 51 : 153;
      assertThat(LocalSpark.decode(frame).bgr()[0] & 0xff).isEqualTo(expected);
    }
    assertThat(run.errors())
        .hasSize(3)
        .allSatisfy(
            e -> {
              assertThat(e.clipId()).isEqualTo("none");
              assertThat(e.code()).isEqualTo("SOURCE_MISSING_COEFFS");
              assertThat(e.message()).contains("add a coeffs column");
            });
  }

  @Test
  void modelFilesOutsideTheAllowedRootsAreRefusedBeforeAnyTask() {
    Path model = TestModels.save(dir.resolve("outside.pt"), identity());
    Path input =
        LocalSpark.writeInput(
            spark,
            dir.resolve("roots"),
            List.of(RowFactory.create("a", FACE)),
            Schemas.SOURCES,
            clip("a", 2));
    Path allowed = dir.resolve("models");

    for (String spec :
        List.of(model.toString(), allowed.resolve("../outside.pt").toUri().toString())) {
      assertThatThrownBy(
              () ->
                  LocalSpark.render(
                      spark,
                      input,
                      dir.resolve("roots-out"),
                      Map.of(
                          "spark.facerender.model",
                          spec,
                          "spark.facerender.modelRoots",
                          allowed.toString())))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining("outside the allowed model roots")
          .hasMessageContaining("--model-roots");
    }
    assertThat(dir.resolve("roots-out")).doesNotExist();
  }

  /** A model on a Hadoop file system other than the local one is copied once and shipped. */
  @Test
  void aModelOnAHadoopFileSystemIsFetchedAndShippedToExecutors() throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("remote"));
    Path model = TestModels.save(dir.resolve("remote").resolve("invert.pt"), invert());
    String uri = "testfs://" + model.toAbsolutePath();
    Path input =
        LocalSpark.writeInput(
            spark,
            dir.resolve("hadoop"),
            List.of(RowFactory.create("a", FACE)),
            Schemas.SOURCES,
            clip("a", 3));

    RunSummary run =
        LocalSpark.render(
            spark,
            input,
            dir.resolve("hadoop-out"),
            Map.of(
                "spark.facerender.model",
                uri,
                "spark.facerender.modelRoots",
                "testfs://" + dir.resolve("remote").toAbsolutePath()));

    assertThat(run.renderedFrames()).isEqualTo(3);
    RgbImage source = decode(FACE);
    RgbImage frame = LocalSpark.decode(LocalSpark.frames(spark, dir.resolve("hadoop-out")).get(0));
    assertThat(frame.bgr()[0] & 0xff).isEqualTo(255 - (source.bgr()[0] & 0xff));
  }

  @Test
  void aModelThatBreaksTheContractStopsTheRunSayingWhatIsWrong() {
    Path input =
        LocalSpark.writeInput(
            spark,
            dir.resolve("broken"),
            List.of(RowFactory.create("a", FACE)),
            Schemas.SOURCES,
            clip("a", 2));
    Map<Path, String> broken =
        Map.of(
            TestModels.save(
                dir.resolve("wide.pt"),
                """
                def forward(self, source: Tensor, coeffs: Tensor) -> Tensor:
                    return source.expand([coeffs.size(0), 3, source.size(2), source.size(3)]) * 3.0
                """),
            "frames must be in [0,1]",
            TestModels.save(
                dir.resolve("small.pt"),
                """
                def forward(self, source: Tensor, coeffs: Tensor) -> Tensor:
                    return source[:, :, :8, :8]
                """),
            "forward must return [N,3,H,W]",
            TestModels.save(
                dir.resolve("one-input.pt"),
                """
                def forward(self, source: Tensor) -> Tensor:
                    return source
                """),
            "forward takes 1 inputs",
            TestModels.save(
                dir.resolve("two-sources.pt"),
                """
                def encode_source(self, source: Tensor) -> Tensor:
                    return torch.cat([source, source])

                def forward(self, source: Tensor, coeffs: Tensor) -> Tensor:
                    return source[:1].expand([coeffs.size(0), 3, source.size(2), source.size(3)])
                """),
            "its first dimension must be 1",
            TestModels.save(
                dir.resolve("failing.pt"),
                """
                def forward(self, source: Tensor, coeffs: Tensor) -> Tensor:
                    return source.expand([coeffs.size(0), 3, 1, 1]) * coeffs.view([-1, 7, 7, 7])
                """),
            "forward(source, coeffs) must accept",
            dir.resolve("missing.pt"),
            "does not exist");
    int attempt = 0;
    for (Map.Entry<Path, String> entry : broken.entrySet()) {
      Map<String, String> conf = Map.of("spark.facerender.model", entry.getKey().toString());
      Path viaSpark = dir.resolve("broken-out-" + attempt++);
      assertThatThrownBy(() -> LocalSpark.render(spark, input, viaSpark, conf))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining(entry.getValue());
      assertThat(viaSpark).doesNotExist();
      // The local engine runs no test batch: its tasks' first batch finds the same fault, before
      // anything is written.
      Path local = dir.resolve("broken-local-" + attempt);
      assertThatThrownBy(() -> LocalSpark.renderLocally(input, local, conf))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining(entry.getValue());
      assertThat(local).doesNotExist();
    }
  }

  private static String identity() {
    return """
        def forward(self, source: Tensor, coeffs: Tensor) -> Tensor:
            return source.expand([coeffs.size(0), 3, source.size(2), source.size(3)])
        """;
  }

  private static String invert() {
    return """
        def forward(self, source: Tensor, coeffs: Tensor) -> Tensor:
            return 1.0 - source.expand([coeffs.size(0), 3, source.size(2), source.size(3)])
        """;
  }

  private static void addClip(List<Row> frames, String clip, int length) {
    for (int i = 0; i < length; i++) {
      List<Float> values = new ArrayList<>(Collections.nCopies(70, 0f));
      values.set(0, (float) i);
      values.set(1, (float) (length - 1));
      frames.add(RowFactory.create(clip, i, LocalSpark.seq(values)));
    }
  }

  private static List<Row> clip(String clip, int length) {
    List<Row> frames = new ArrayList<>();
    addClip(frames, clip, length);
    return frames;
  }

  private static List<Float> coeffs(float first) {
    List<Float> values = new ArrayList<>(Collections.nCopies(70, 0f));
    values.set(0, first);
    return values;
  }

  private static RgbImage decode(byte[] png) {
    try {
      return ImageCodec.decode(png);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
