package dev.facerender.schedule.spark;

import static org.apache.spark.sql.functions.col;

import dev.facerender.io.Schemas;
import dev.facerender.io.TableRows;
import dev.facerender.job.MetricsDigest;
import dev.facerender.metrics.FrameError;
import dev.facerender.output.CommittedCounts;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.VideoRun;
import dev.facerender.output.digest.BatchRows;
import dev.facerender.schedule.RunTables;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** A run's tables read back by Spark queries, where the tasks ran: nothing passes the driver. */
public final class SparkTables implements RunTables {
  private static final StructType KEYS =
      new StructType()
          .add("clip_id", DataTypes.StringType)
          .add("frame_index", DataTypes.IntegerType);

  private final SparkSession spark;

  public SparkTables(SparkSession spark) {
    this.spark = spark;
  }

  @Override
  public CommittedCounts counts(String frames, String errors, String videos, String runId) {
    return CommittedCounts.read(spark, frames, errors, videos, runId);
  }

  @Override
  public long overlap(String staged, String existing) {
    Dataset<Row> mine = spark.read().schema(KEYS).parquet(staged);
    Dataset<Row> theirs = spark.read().schema(KEYS).parquet(existing);
    return mine.join(
            theirs,
            mine.col("clip_id")
                .equalTo(theirs.col("clip_id"))
                .and(mine.col("frame_index").equalTo(theirs.col("frame_index"))),
            "left_semi")
        .select(col("clip_id"))
        .count();
  }

  @Override
  public MetricsDigest digest(String metrics, String runId) {
    Dataset<Row> rows =
        spark.read().schema(Schemas.METRICS).parquet(metrics).where(col("run_id").equalTo(runId));
    return (new BatchRows() {
          @Override
          public <P extends Part<P>> P fold(Zero<P> zero) {
            return foldTasks(rows, zero);
          }
        })
        .digest(metrics);
  }

  /** Each Spark partition folded by its task; only the parts, never rows, reach the driver. */
  private static <P extends BatchRows.Part<P>> P foldTasks(
      Dataset<Row> rows, BatchRows.Zero<P> zero) {
    return rows.javaRDD()
        .mapPartitions(
            it -> {
              P part = zero.get();
              it.forEachRemaining(r -> part.add(TableRows.metrics(r)));
              return List.of(part).iterator();
            })
        .fold(zero.get(), (a, b) -> a.merge(b));
  }

  @Override
  public List<FrameError> errorSample(String errors, String runId, int limit) {
    return spark
        .read()
        .schema(Schemas.ERRORS)
        .parquet(errors)
        .where(col("run_id").equalTo(runId))
        .orderBy(col("clip_id").asc_nulls_first(), col("frame_index").asc_nulls_first())
        .limit(limit)
        .collectAsList()
        .stream()
        .map(TableRows::error)
        .toList();
  }

  @Override
  public String videoFailure(OutputFolder out, String runId) {
    if (!out.exists(VideoRun.MANIFEST)) {
      return VideoRun.missingManifest(out);
    }
    List<Map.Entry<String, Long>> recorded =
        spark
            .read()
            .schema(VideoRun.MANIFEST_SCHEMA)
            .parquet(out.child(VideoRun.MANIFEST))
            .where(col("run_id").equalTo(runId))
            .select("file", "bytes")
            .collectAsList()
            .stream()
            .map(r -> Map.entry(r.getString(0), r.getLong(1)))
            .toList();
    return VideoRun.checkCommitted(out, recorded);
  }
}
