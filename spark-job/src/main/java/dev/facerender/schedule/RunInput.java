package dev.facerender.schedule;

import dev.facerender.io.Schemas;
import dev.facerender.output.query.Fold;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** A run's two input tables, checked against their schemas, as a scheduler reads them. */
public interface RunInput {
  StructType framesSchema();

  StructType sourcesSchema();

  /**
   * Folds the frames table's rows as (clip_id as text, frame_index) into parts that {@code zero}
   * starts: in Spark's tasks, or in this JVM file by file.
   */
  <P extends Fold<P>> P foldFrameKeys(Fold.Zero<P> zero);

  /** Where the frames table is, for messages. */
  String framesTable();

  /** Each clip's frame rows, counted in one pass (the total, each wave's share, the sample). */
  default ClipCounts counts() {
    String table = framesTable();
    return foldFrameKeys(() -> new ClipCounts.Tally(table)).counts();
  }

  /** Whether source images are base64 text (JSON Lines) rather than bytes. */
  default boolean base64Sources() {
    return Schemas.sameType(sourcesSchema().apply("image").dataType(), DataTypes.StringType);
  }
}
