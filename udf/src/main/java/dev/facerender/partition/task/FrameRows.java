package dev.facerender.partition.task;

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

  /**
   * {@link #INPUT} with a clip's audio on its source row, for video: bytes or a path (on any Hadoop
   * file system), and how many frame rows the clip has, to check the audio's length against.
   */
  public static final StructType INPUT_WITH_AUDIO =
      INPUT
          .add("audio", DataTypes.BinaryType, true)
          .add("audio_path", DataTypes.StringType, true)
          .add("clip_frames", DataTypes.LongType, true);

  public static final StructType OUTPUT =
      new StructType()
          .add("clip_id", DataTypes.StringType, false)
          .add("frame_index", DataTypes.IntegerType, false)
          .add("width", DataTypes.IntegerType, false)
          .add("height", DataTypes.IntegerType, false)
          .add("format", DataTypes.StringType, false)
          .add("image", DataTypes.BinaryType, false)
          .add("run_id", DataTypes.StringType, false);

  public static final int IS_SOURCE = 0;
  public static final int CLIP_ID = 1;
  public static final int FRAME_INDEX = 2;
  public static final int COEFFS = 3;
  public static final int IMAGE = 4;
  public static final int AUDIO = 5;
  public static final int AUDIO_PATH = 6;
  public static final int CLIP_FRAMES = 7;

  private FrameRows() {}
}
