package dev.facerender.schedule;

import dev.facerender.io.Schemas;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** A run's two input tables, checked against their schemas, as a scheduler reads them. */
public interface RunInput {
  StructType framesSchema();

  StructType sourcesSchema();

  /** Each clip's frame rows, counted in one pass (the total, each wave's share, the sample). */
  ClipCounts counts();

  /** Whether source images are base64 text (JSON Lines) rather than bytes. */
  default boolean base64Sources() {
    return Schemas.sameType(sourcesSchema().apply("image").dataType(), DataTypes.StringType);
  }
}
