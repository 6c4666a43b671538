package dev.facerender.partition;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The row layouts the partition function reads and writes. */
public final class FrameRows {
  /**
   * One stream of sources and frames, repartitioned by clip and sorted (clip, is_source desc,
   * frame_index) so that each clip's source comes right before its frames.
   */
  public static final StructType INPUT =
      new StructType()
          .add("is_source", DataTypes.BooleanType, false)
          .add("clip_id", DataTypes.StringType, true)
          .add("frame_index", DataTypes.IntegerType, true)
          .add("coeffs", DataTypes.createArrayType(DataTypes.FloatType, true), true)
          .add("image", DataTypes.BinaryType, true);

  public static final StructType OUTPUT =
      new StructType()
          .add("clip_id", DataTypes.StringType, false)
          .add("frame_index", DataTypes.IntegerType, false)
          .add("width", DataTypes.IntegerType, false)
          .add("height", DataTypes.IntegerType, false)
          .add("format", DataTypes.StringType, false)
          .add("image", DataTypes.BinaryType, false)
          .add("run_id", DataTypes.StringType, false);

  static final int IS_SOURCE = 0;
  static final int CLIP_ID = 1;
  static final int FRAME_INDEX = 2;
  static final int COEFFS = 3;
  static final int IMAGE = 4;

  private FrameRows() {}
}
