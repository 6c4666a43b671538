package dev.facerender.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.codec.ImageCodec;
import dev.facerender.codec.ImageDecodeException;
import dev.facerender.codec.RgbImage;
import dev.facerender.io.DemoDataset;
import dev.facerender.io.Schemas;
import dev.facerender.job.ProgressListener;
import dev.facerender.job.RenderRequest;
import dev.facerender.job.RunSummary;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/** Local Spark sessions and small datasets for tests. */
public final class LocalSpark {
  private LocalSpark() {}

  public static SparkSession start(String master) {
    SparkSession active = SparkSession.getActiveSession().getOrElse(() -> null);
    if (active != null) {
      active.stop();
    }
    return SparkSession.builder()
        .master(master)
        .appName("facerender-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
  }

  /** A demo dataset under {@code dir/input}: {@code clips} clips of {@code frames} frames. */
  public static Path demo(SparkSession spark, Path dir, int clips, int frames, int size) {
    Path input = dir.resolve("input");
    DemoDataset.generate(spark, input.toString(), clips, frames, size, 1);
    return input;
  }

  /**
   * Writes {@code sources} (with {@code sourceSchema}) and {@code frames} as the Parquet tables
   * {@code dir/sources} and {@code dir/frames}; returns {@code dir}.
   */
  public static Path writeInput(
      SparkSession spark, Path dir, List<Row> sources, StructType sourceSchema, List<Row> frames) {
    spark.createDataFrame(sources, sourceSchema).write().parquet(dir.resolve("sources").toString());
    spark.createDataFrame(frames, Schemas.FRAMES).write().parquet(dir.resolve("frames").toString());
    return dir;
  }

  /** A Java list as the Scala Seq that Row encoders need for array columns. */
  public static <T> scala.collection.immutable.Seq<T> seq(List<T> values) {
    return CollectionConverters.asScala(values).toList();
  }

  /** A render of {@code input}'s frames and sources into {@code out} in {@code mode}. */
  public static RenderRequest request(Path input, Path out, String mode, Map<String, String> conf) {
    return new RenderRequest(
        input.resolve("frames").toString(),
        input.resolve("sources").toString(),
        out.toString(),
        null,
        mode,
        0,
        conf);
  }

  /** The local engine for {@code request} on local[2]; a refusal fails the test with its reason. */
  public static LocalEngine localEngine(RenderRequest request) {
    LocalEngine.Offer offer = LocalEngine.offer(request, "local[2]", List.of(), null);
    if (offer.engine() == null) {
      throw new AssertionError("refused: " + offer.refusal());
    }
    return offer.engine();
  }

  public static RunSummary render(
      SparkSession spark, Path input, Path out, Map<String, String> conf) {
    return new SparkEngine(spark)
        .run(request(input, out, "error-if-exists", conf), ProgressListener.NONE);
  }

  /**
   * As {@link #render}, on the local engine: for checks of what both engines share (the executor
   * parts, the run's flow; EngineEquivalenceTest holds them to the same output), without a Spark
   * job's overhead per step.
   */
  public static RunSummary renderLocally(Path input, Path out, Map<String, String> conf) {
    return localEngine(request(input, out, "error-if-exists", conf)).run(ProgressListener.NONE);
  }

  public static List<Row> frames(SparkSession spark, Path out) {
    return spark
        .read()
        .parquet(out.resolve("frames").toString())
        .orderBy("clip_id", "frame_index")
        .collectAsList();
  }

  /** The error rows of {@code out}, without run ids, in one order. */
  public static List<Row> errorRows(SparkSession spark, Path out) {
    return spark
        .read()
        .parquet(out.resolve("errors").toString())
        .select("clip_id", "frame_index", "stage", "error_code", "message")
        .orderBy("clip_id", "frame_index", "error_code")
        .collectAsList();
  }

  public static RgbImage decode(Row frame) {
    try {
      return ImageCodec.decode((byte[]) frame.getAs("image"));
    } catch (ImageDecodeException e) {
      throw new AssertionError("frame does not decode: " + e.getMessage(), e);
    }
  }

  /** The largest difference of one channel of one pixel between two encoded frames of one size. */
  public static int maxDifference(byte[] a, byte[] b) {
    try {
      return maxDifference(ImageCodec.decode(a), ImageCodec.decode(b));
    } catch (ImageDecodeException e) {
      throw new AssertionError("frame does not decode: " + e.getMessage(), e);
    }
  }

  /** The largest difference of one channel of one pixel between two images of one size. */
  public static int maxDifference(RgbImage a, RgbImage b) {
    assertThat(b.width()).isEqualTo(a.width());
    assertThat(b.height()).isEqualTo(a.height());
    byte[] x = a.bgr();
    byte[] y = b.bgr();
    int max = 0;
    for (int i = 0; i < x.length; i++) {
      max = Math.max(max, Math.abs((x[i] & 0xff) - (y[i] & 0xff)));
    }
    return max;
  }
}
