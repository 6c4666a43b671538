package dev.facerender.schedule.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.facerender.io.Schemas;
import dev.facerender.io.Tables;
import dev.facerender.job.RenderRequest;
import dev.facerender.output.query.Fold;
import dev.facerender.schedule.RunInput;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The two input tables, checked, and the one stream of sources and frames tasks read. */
public final class RenderInput implements RunInput {
  final Dataset<Row> frames;
  final Dataset<Row> sources;
  private final String framesPath;

  public RenderInput(SparkSession spark, RenderRequest request) {
    framesPath = request.frames();
    frames = Tables.read(spark, request.frames(), request.inputFormat());
    Schemas.check("frames", request.frames(), frames.schema(), Schemas.FRAMES);
    sources = Tables.read(spark, request.sources(), request.inputFormat());
    Schemas.check("sources", request.sources(), sources.schema(), Schemas.SOURCES);
  }

  @Override
  public StructType framesSchema() {
    return frames.schema();
  }

  @Override
  public StructType sourcesSchema() {
    return sources.schema();
  }

  /** One Spark job over the frames table's two key columns. */
  @Override
  public <P extends Fold<P>> P foldFrameKeys(Fold.Zero<P> zero) {
    return SparkScan.fold(
        frames.select(col("clip_id").cast(DataTypes.StringType), col("frame_index")), zero);
  }

  @Override
  public String framesTable() {
    return framesPath;
  }

  /**
   * Sources and frames as rows of {@code FrameRows.INPUT} (of {@code FrameRows.INPUT_WITH_AUDIO}
   * when {@code video}), not yet partitioned.
   */
  public Dataset<Row> stream(boolean video) {
    List<Column> sourceColumns =
        new ArrayList<>(
            List.of(
                lit(true).as("is_source"),
                col("clip_id").cast(DataTypes.StringType),
                lit(null).cast(DataTypes.IntegerType).as("frame_index"),
                Schemas.has(sources.schema(), "coeffs")
                    ? col("coeffs").cast(DataTypes.createArrayType(DataTypes.FloatType))
                    : lit(null).cast(DataTypes.createArrayType(DataTypes.FloatType)).as("coeffs"),
                col("image").cast(DataTypes.BinaryType)));
    if (video) {
      sourceColumns.addAll(VideoInput.audioColumns(sources.schema()));
    }
    Dataset<Row> sourceRows = sources.select(sourceColumns.toArray(Column[]::new));
    Dataset<Row> frameRows =
        frames.select(
            lit(false).as("is_source"),
            col("clip_id").cast(DataTypes.StringType),
            col("frame_index").cast(DataTypes.IntegerType),
            col("coeffs").cast(DataTypes.createArrayType(DataTypes.FloatType)),
            lit(null).cast(DataTypes.BinaryType).as("image"));
    if (video) {
      sourceRows = VideoInput.withClipFrames(sourceRows, frames);
      frameRows = VideoInput.framesWithAudio(frameRows);
    }
    return sourceRows.unionByName(frameRows);
  }
}
