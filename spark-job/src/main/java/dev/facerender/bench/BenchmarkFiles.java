package dev.facerender.bench;

import dev.facerender.batch.ThroughputPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** What a benchmark writes: its result as JSON, as one table of measurements, and as a page. */
final class BenchmarkFiles {
  private BenchmarkFiles() {}

  private static final StructType MEASUREMENTS =
      new StructType()
          .add("section", DataTypes.StringType, false)
          .add("name", DataTypes.StringType, false)
          .add("batch", DataTypes.IntegerType, true)
          .add("value", DataTypes.DoubleType, false)
          .add("unit", DataTypes.StringType, false);

  /**
   * benchmark.json, the measurements as a Parquet table ({@code benchmark/}) and benchmark.html.
   */
  static void write(SparkSession spark, Benchmark.Result result, Path out) throws IOException {
    Benchmark.JSON.writeValue(out.resolve("benchmark.json").toFile(), result);
    List<Row> rows = new ArrayList<>();
    for (ThroughputPoint p : result.sweep()) {
      rows.add(
          RowFactory.create(
              "sweep", "render-only, one task", p.batch(), p.framesPerSecond(), "frames/s"));
    }
    result
        .levels()
        .forEach(
            (level, batch) ->
                rows.add(RowFactory.create("level", level, batch, (double) batch, "frames")));
    rows.add(
        RowFactory.create(
            "render-only",
            "all task slots",
            result.chosenBatch(),
            result.renderOnlyFramesPerSecond(),
            "frames/s"));
    rows.add(
        RowFactory.create(
            "encode", "one thread", 1, result.encodeFramesPerSecondPerThread(), "frames/s"));
    result
        .endToEndFramesPerSecond()
        .forEach(
            (name, fps) -> rows.add(RowFactory.create("end-to-end", name, null, fps, "frames/s")));
    result
        .peakRssBytes()
        .forEach(
            (name, bytes) ->
                rows.add(RowFactory.create("peak-rss", name, null, (double) bytes, "bytes")));
    rows.add(
        RowFactory.create(
            "ratio", "end-to-end / render-only", null, result.endToEndOverRenderOnly(), "ratio"));
    rows.add(
        RowFactory.create(
            "ratio", "pipelined / sequential", null, result.pipelinedOverSequential(), "ratio"));
    rows.add(
        RowFactory.create(
            "ratio", "video only / PNG frames", null, result.videoOnlyOverPng(), "ratio"));
    if (result.sizingAccuracy() != null) {
      rows.add(
          RowFactory.create(
              "sizing",
              "largest fitting batch",
              result.largestFittingBatch(),
              (double) result.largestFittingBatch(),
              "frames"));
      rows.add(
          RowFactory.create(
              "sizing", "chosen / largest fitting", null, result.sizingAccuracy(), "ratio"));
    }
    spark
        .createDataFrame(rows, MEASUREMENTS)
        .coalesce(1)
        .write()
        .mode("overwrite")
        .parquet(out.resolve("benchmark").toString());
    Files.writeString(out.resolve("benchmark.html"), BenchmarkReport.render(result));
  }
}
