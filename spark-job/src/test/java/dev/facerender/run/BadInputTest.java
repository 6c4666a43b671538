package dev.facerender.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.codec.ImageCodec;
import dev.facerender.io.DemoFaces;
import dev.facerender.io.InputException;
import dev.facerender.io.Schemas;
import dev.facerender.job.ProgressListener;
import dev.facerender.job.RenderRequest;
import dev.facerender.job.RunFailedException;
import dev.facerender.job.RunSummary;
import dev.facerender.metrics.FrameError;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of bad row ends as exactly one error row with its code and a message that says what is
 * wrong; nothing is lost or duplicated, through the real job on local Spark.
 */
class BadInputTest {
  private static final byte[] FACE = DemoFaces.png(1, 0, 32);

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

  /** One kind of bad input: the key of the error row it must give, its code and message words. */
  record Case(String key, String code, String message) {}

  /** Every kind of bad row, beside four good frames of clip "good", with what each must give. */
  record BadRows(List<Row> sources, List<Row> frames, List<Case> cases) {}

  static BadRows badRows() throws Exception {
    List<Row> sources = new ArrayList<>();
    List<Row> frames = new ArrayList<>();
    List<Case> cases = new ArrayList<>();
    sources.add(RowFactory.create("good", FACE));
    for (int i = 0; i < 4; i++) {
      frames.add(frame("good", i, coeffs(70, 0f)));
    }
    // Frame rows.
    frames.add(frame("good", 3, coeffs(70, 0f)));
    cases.add(new Case("good#3", "DUPLICATE_FRAME", "appears more than once"));
    frames.add(frame("good", -1, coeffs(70, 0f)));
    cases.add(new Case("good#-1", "NEGATIVE_FRAME_INDEX", "-1 is negative"));
    frames.add(frame("good", 7, coeffs(12, 0f)));
    cases.add(new Case("good#7", "BAD_COEFF_COUNT", "12 coefficients, the model expects 70"));
    frames.add(frame("good", 8, List.of()));
    cases.add(new Case("good#8", "BAD_COEFF_COUNT", "0 coefficients"));
    frames.add(frame("good", 9, coeffs(70, Float.NaN)));
    cases.add(new Case("good#9", "NON_FINITE_COEFF", "coefficient 69 is NaN"));
    frames.add(frame("good", 10, coeffs(70, Float.POSITIVE_INFINITY)));
    cases.add(new Case("good#10", "NON_FINITE_COEFF", "is Infinity"));
    frames.add(frame("good", 11, coeffs(70, Float.NEGATIVE_INFINITY)));
    cases.add(new Case("good#11", "NON_FINITE_COEFF", "is -Infinity"));
    frames.add(frame("good", 12, coeffs(70, null)));
    cases.add(new Case("good#12", "NULL_COEFF", "coefficient 69 is null"));
    frames.add(frame("good", 13, coeffs(70, 1e6f)));
    cases.add(new Case("good#13", "COEFF_OUT_OF_RANGE", "beyond --max-abs-coeff"));
    frames.add(frame("good", 14, null));
    cases.add(new Case("good#14", "MISSING_COEFFS", "no coeffs"));
    frames.add(frame("good", null, coeffs(70, 0f)));
    cases.add(new Case("good#null", "MISSING_FRAME_INDEX", "no frame_index"));
    frames.add(frame(null, 15, coeffs(70, 0f)));
    cases.add(new Case("null#15", "MISSING_CLIP_ID", "no clip_id"));
    frames.add(frame(" ", 16, coeffs(70, 0f)));
    cases.add(new Case(" #16", "BLANK_CLIP_ID", "blank clip_id"));
    frames.add(frame("orphan", 0, coeffs(70, 0f)));
    cases.add(new Case("orphan#0", "NO_SOURCE", "no row in the sources table"));
    // Source rows: each clip gets one frame, which takes the source's error.
    addSource(sources, frames, cases, "empty", new byte[0], "SOURCE_EMPTY", "is empty");
    addSource(sources, frames, cases, "null-image", null, "SOURCE_MISSING", "image column is null");
    addSource(
        sources,
        frames,
        cases,
        "text",
        "not an image".getBytes(StandardCharsets.UTF_8),
        "SOURCE_NOT_IMAGE",
        "not a PNG or JPEG");
    addSource(
        sources,
        frames,
        cases,
        "cut-png",
        Arrays.copyOf(FACE, FACE.length / 2),
        "SOURCE_TRUNCATED",
        "ends early");
    byte[] jpeg = ImageCodec.encodeJpeg(ImageIO.read(new java.io.ByteArrayInputStream(FACE)), 0.9f);
    addSource(
        sources,
        frames,
        cases,
        "cut-jpeg",
        Arrays.copyOf(jpeg, jpeg.length * 2 / 3),
        "SOURCE_TRUNCATED",
        "incomplete");
    addSource(
        sources,
        frames,
        cases,
        "corrupt",
        corruptPixels(FACE),
        "SOURCE_CORRUPT",
        "cannot be decoded");
    addSource(
        sources,
        frames,
        cases,
        "bomb",
        withDimensions(FACE, 100_000, 100_000),
        "SOURCE_TOO_LARGE",
        "100000x100000");
    addSource(
        sources,
        frames,
        cases,
        "tiny",
        DemoFaces.png(1, 0, 8),
        "SOURCE_TOO_SMALL",
        "8x8 pixels, below 16");
    sources.add(RowFactory.create("twice", FACE));
    addSource(sources, frames, cases, "twice", FACE, "DUPLICATE_SOURCE", "more than one source");
    // A source row no frame can use is recorded too, and counts no frame.
    sources.add(RowFactory.create(null, FACE));
    cases.add(new Case("null#null", "SOURCE_MISSING_CLIP_ID", "no clip_id"));
    return new BadRows(sources, frames, cases);
  }

  @Test
  void everyKindOfBadRowBecomesOneErrorRowWithItsCodeAndEveryGoodRowOneFrame() throws Exception {
    BadRows bad = badRows();
    List<Row> sources = bad.sources();
    List<Row> frames = bad.frames();
    List<Case> cases = bad.cases();

    Path input = LocalSpark.writeInput(spark, dir.resolve("bad"), sources, Schemas.SOURCES, frames);
    Path out = dir.resolve("out");
    RunSummary run =
        LocalSpark.renderLocally(input, out, Map.of("spark.facerender.maxErrorRate", "1"));

    assertThat(cases).hasSizeGreaterThanOrEqualTo(20);
    for (Case expected : cases) {
      assertThat(run.errors())
          .as(expected.key())
          .filteredOn(e -> (e.clipId() + "#" + e.frameIndex()).equals(expected.key()))
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.code()).isEqualTo(expected.code());
                assertThat(e.message()).contains(expected.message());
              });
    }
    assertThat(run.inputFrames()).isEqualTo(frames.size());
    assertThat(run.renderedFrames()).isEqualTo(4);
    assertThat(run.renderedFrames() + run.errorFrames()).isEqualTo(frames.size());
    assertThat(LocalSpark.frames(spark, out)).hasSize(4);
    assertThat(run.errors()).hasSize(cases.size());
    assertThat(run.errors())
        .filteredOn(e -> !e.isFrame())
        .extracting(FrameError::code)
        .containsExactly("SOURCE_MISSING_CLIP_ID");
    List<Row> written = spark.read().parquet(out.resolve("errors").toString()).collectAsList();
    assertThat(written).hasSize(cases.size());
    assertThat(Files.exists(out.resolve("_SUCCESS"))).isTrue();
  }

  @Test
  void jsonSourcesCarryImagesAsBase64AndABadStringIsItsOwnError() throws Exception {
    Path input = dir.resolve("json");
    Files.createDirectories(input);
    String good = Base64.getEncoder().encodeToString(FACE);
    Files.writeString(
        input.resolve("sources.jsonl"),
        "{\"clip_id\":\"a\",\"image\":\"" + good + "\"}\n{\"clip_id\":\"b\",\"image\":\"%%%\"}\n");
    StringBuilder lines = new StringBuilder();
    for (String clip : List.of("a", "b")) {
      for (int i = 0; i < 3; i++) {
        lines.append(
            "{\"clip_id\":\""
                + clip
                + "\",\"frame_index\":"
                + i
                + ",\"coeffs\":"
                + Collections.nCopies(70, 0.0)
                + "}\n");
      }
    }
    Files.writeString(input.resolve("frames.jsonl"), lines);

    RunSummary run =
        new SparkEngine(spark)
            .run(
                new RenderRequest(
                    input.resolve("frames.jsonl").toString(),
                    input.resolve("sources.jsonl").toString(),
                    dir.resolve("json-out").toString(),
                    null,
                    "error-if-exists",
                    0,
                    Map.of("spark.facerender.maxErrorRate", "1")),
                ProgressListener.NONE);

    assertThat(run.renderedFrames()).isEqualTo(3);
    assertThat(run.errors())
        .hasSize(3)
        .allSatisfy(
            e -> {
              assertThat(e.clipId()).isEqualTo("b");
              assertThat(e.code()).isEqualTo("SOURCE_BAD_BASE64");
              assertThat(e.message()).contains("not base64");
            });
  }

  @Test
  void tooManyBadRowsFailTheRunWithNoSuccessMarkerAndSaySo() {
    List<Row> sources = List.of(RowFactory.create("a", FACE));
    List<Row> frames = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      frames.add(frame("a", i, coeffs(70, i < 2 ? Float.NaN : 0f)));
    }
    Path input =
        LocalSpark.writeInput(spark, dir.resolve("rate"), sources, Schemas.SOURCES, frames);
    Path out = dir.resolve("rate-out");

    assertThatThrownBy(
            () ->
                LocalSpark.renderLocally(
                    input, out, Map.of("spark.facerender.maxErrorRate", "0.1")))
        .isInstanceOf(RunFailedException.class)
        .hasMessageContaining("2 of 10 input frames (20.00%) were rejected")
        .hasMessageContaining("NON_FINITE_COEFF")
        .hasMessageContaining("no _SUCCESS marker");
    assertThat(out.resolve("_SUCCESS")).doesNotExist();
    assertThat(out.resolve("frames").resolve("_SUCCESS")).doesNotExist();
    assertThat(out.resolve("errors").resolve("_SUCCESS")).doesNotExist();
    assertThat(out.resolve("run.json")).content().contains("\"status\" : \"failed\"");
  }

  @Test
  void aMissingOrMistypedColumnStopsTheRunBeforeAnyTaskNamingIt() {
    Path input = dir.resolve("schema");
    StructType wrong =
        new StructType()
            .add("clip_id", DataTypes.StringType)
            .add("frame_index", DataTypes.StringType)
            .add("coeffs", DataTypes.createArrayType(DataTypes.FloatType));
    spark
        .createDataFrame(
            List.of(RowFactory.create("a", "zero", LocalSpark.seq(coeffs(70, 0f)))), wrong)
        .write()
        .parquet(input.resolve("frames").toString());
    spark
        .createDataFrame(List.of(RowFactory.create("a", FACE)), Schemas.SOURCES)
        .write()
        .parquet(input.resolve("sources").toString());
    assertThatThrownBy(() -> LocalSpark.render(spark, input, dir.resolve("schema-out"), Map.of()))
        .isInstanceOf(InputException.class)
        .hasMessageContaining("column 'frame_index' is string, wanted int");
    assertThat(dir.resolve("schema-out")).doesNotExist();
  }

  private static void addSource(
      List<Row> sources,
      List<Row> frames,
      List<Case> cases,
      String clip,
      byte[] image,
      String code,
      String message) {
    sources.add(RowFactory.create(clip, image));
    frames.add(frame(clip, 0, coeffs(70, 0f)));
    cases.add(new Case(clip + "#0", code, message));
  }

  /** A PNG whose header claims other dimensions, CRC fixed so only the size is wrong. */
  private static byte[] withDimensions(byte[] png, int width, int height) {
    byte[] copy = png.clone();
    ByteBuffer buffer = ByteBuffer.wrap(copy);
    // Signature (8), IHDR length (4), "IHDR" (4), then width and height.
    buffer.putInt(16, width).putInt(20, height);
    CRC32 crc = new CRC32();
    crc.update(copy, 12, 4 + 13);
    buffer.putInt(12 + 4 + 13, (int) crc.getValue());
    return copy;
  }

  /** A PNG whose compressed pixel data is overwritten with bytes zlib refuses. */
  private static byte[] corruptPixels(byte[] png) {
    byte[] copy = png.clone();
    int idat = indexOf(copy, "IDAT".getBytes(StandardCharsets.US_ASCII));
    for (int i = idat + 6; i < Math.min(copy.length - 16, idat + 40); i++) {
      copy[i] = (byte) 0xff;
    }
    return copy;
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= data.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("pattern not found");
  }

  static Row frame(String clip, Integer index, List<Float> coeffs) {
    return RowFactory.create(clip, index, coeffs == null ? null : LocalSpark.seq(coeffs));
  }

  static List<Float> coeffs(int n, Float last) {
    List<Float> values = new ArrayList<>(Collections.nCopies(n, 0f));
    values.set(n - 1, last);
    return values;
  }
}
