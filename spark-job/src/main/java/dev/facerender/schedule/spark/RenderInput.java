package dev.facerender.schedule.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import dev.facerender.io.Schemas;
import dev.facerender.io.Tables;
import dev.facerender.job.RenderRequest;
import dev.facerender.output.query.Fold;
import dev.facerender.schedule.AudioColumns;
import dev.facerender.schedule.InputLayout;
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
   * when {@code video}), as {@link InputLayout} lays them out, not yet partitioned.
   */
  public Dataset<Row> stream(boolean video) {
    if (video) {
      AudioColumns.check(sources.schema());
    }
    List<InputLayout.Column> layout = InputLayout.columns(video);
    Dataset<Row> sourceRows = sources.select(select(layout, true, sources.schema()));
    Dataset<Row> frameRows = frames.select(select(layout, false, frames.schema()));
    if (video) {
      sourceRows = withClipFrames(sourceRows, frames);
    }
    return sourceRows.unionByName(frameRows);
  }

  /** The layout's columns for one kind of row but its clip's frame count, joined apart. */
  private static Column[] select(
      List<InputLayout.Column> layout, boolean source, StructType table) {
    List<Column> columns = new ArrayList<>();
    for (InputLayout.Column c : layout) {
      Column value =
          switch (c.from(source)) {
            case TRUE -> lit(true);
            case FALSE -> lit(false);
            case INPUT -> Schemas.has(table, c.name()) ? col(c.name()) : lit(null);
            case NULL -> lit(null);
            case CLIP_FRAMES -> null;
          };
      if (value != null) {
        columns.add(value.cast(c.type()).as(c.name()));
      }
    }
    return columns.toArray(Column[]::new);
  }

  /** Source rows with their clip's frame-row count. */
  private static Dataset<Row> withClipFrames(Dataset<Row> sourceRows, Dataset<Row> frames) {
    Dataset<Row> counts =
        frames
            .groupBy(col("clip_id").cast(DataTypes.StringType).as("counted_clip"))
            .agg(count(lit(1)).as("clip_frames"));
    return sourceRows
        .join(counts, sourceRows.col("clip_id").equalTo(counts.col("counted_clip")), "left")
        .drop("counted_clip");
  }
}
