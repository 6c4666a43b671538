package dev.facerender.io;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import scala.jdk.javaapi.CollectionConverters;

/** Writes a synthetic frame dataset: {@code DIR/frames} and {@code DIR/sources}. */
public final class DemoDataset {
  private DemoDataset() {}

  /** Counts of what was written; {@code badFrames} of the frames carry a NaN coefficient. */
  public record Written(long clips, long frames, long badFrames) {}

  public static Written generate(
      SparkSession spark, String dir, int clips, int frames, int size, long seed) {
    return generate(spark, dir, clips, frames, size, seed, "parquet", 0);
  }

  /**
   * As above, in {@code format}: {@code parquet}, or {@code jsonl} (JSON Lines, images as base64
   * text), the form scripts without a Parquet reader can read. A {@code badFraction} of the frame
   * rows, spread evenly, get a NaN first coefficient (rejected as NON_FINITE_COEFF), for runs that
   * must show what bad rows cost.
   */
  public static Written generate(
      SparkSession spark,
      String dir,
      int clips,
      int frames,
      int size,
      long seed,
      String format,
      double badFraction) {
    if (!format.equals("parquet") && !format.equals("jsonl")) {
      throw new InputException("generate writes parquet or jsonl, not '" + format + "'");
    }
    if (!(badFraction >= 0 && badFraction <= 1)) {
      throw new InputException("generate needs --bad-fraction between 0 and 1, got " + badFraction);
    }
    if (clips < 1 || frames < 1 || size < 16) {
      throw new InputException(
          "generate needs --clips >= 1, --frames >= 1 and --size >= 16, got "
              + clips
              + ", "
              + frames
              + ", "
              + size);
    }
    int partitions = Math.max(1, Math.min(clips, spark.sparkContext().defaultParallelism()));
    spark
        .range(0, clips, 1, partitions)
        .map(
            (MapFunction<Long, Row>)
                clip ->
                    RowFactory.create(
                        clipId(clip.intValue()), DemoFaces.png(seed, clip.intValue(), size)),
            Encoders.row(Schemas.SOURCES))
        .write()
        .mode(SaveMode.ErrorIfExists)
        .format(format.equals("jsonl") ? "json" : "parquet")
        .save(dir + "/sources");
    spark
        .range(0, (long) clips * frames, 1, partitions)
        .map(
            (MapFunction<Long, Row>)
                id -> {
                  int clip = (int) (id / frames);
                  int frame = (int) (id % frames);
                  float[] c = DemoMotion.coefficients(seed, clip, frame);
                  List<Float> coeffs = new ArrayList<>(c.length);
                  for (float v : c) {
                    coeffs.add(v);
                  }
                  if (isBad(id, badFraction)) {
                    coeffs.set(0, Float.NaN);
                  }
                  // Row encoders want Scala sequences for array columns.
                  return RowFactory.create(
                      clipId(clip), frame, CollectionConverters.asScala(coeffs).toSeq());
                },
            Encoders.row(Schemas.FRAMES))
        .write()
        // Row groups of 16 MB, not Parquet's 128: a task reading one buffers it whole, and a
        // million-row table should not cost each reading task 128 MB of heap.
        .option("parquet.block.size", 16L << 20)
        .mode(SaveMode.ErrorIfExists)
        .format(format.equals("jsonl") ? "json" : "parquet")
        .save(dir + "/frames");
    long total = (long) clips * frames;
    return new Written(clips, total, (long) Math.floor(total * badFraction));
  }

  /** Row {@code id} is bad when the running count of bad rows steps at it: floor(n * f) in all. */
  static boolean isBad(long id, double fraction) {
    return Math.floor((id + 1) * fraction) > Math.floor(id * fraction);
  }

  static String clipId(int clip) {
    return String.format("clip-%04d", clip);
  }
}
