package dev.facerender.output;

import dev.facerender.io.ParquetRowWriter;
import dev.facerender.io.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Where a run attempt stages each wave before its commit ({@code _staging/<attempt>/wave-N}), the
 * tables a wave stages, and what its commit moves where, whichever scheduler ran its tasks.
 */
public final class Staging {
  public static final String ROOT = "_staging";

  /** The tables every wave stages and every run publishes. */
  public static final List<String> TABLES = List.of("frames", "errors", "metrics");

  private static final long TABLE_ROW_GROUP_BYTES = 128L << 20;

  private Staging() {}

  public static String wave(String attemptId, int wave) {
    return String.format("%s/%s/wave-%05d", ROOT, attemptId, wave);
  }

  /** {@code rows} as one new Parquet file of {@code table} in {@code out}. */
  public static <T> void writeTable(
      Configuration conf,
      OutputFolder out,
      String table,
      StructType schema,
      List<T> rows,
      Function<T, Row> toRow) {
    String file = out.child(table + "/part-00000-" + UUID.randomUUID() + ".snappy.parquet");
    try (ParquetRowWriter writer =
        new ParquetRowWriter(file, schema, conf, true, TABLE_ROW_GROUP_BYTES)) {
      for (T row : rows) {
        writer.write(toRow.apply(row));
      }
    }
  }

  /**
   * The staged data files of {@code staging} (with {@code videos}' MP4s and manifest, unless null)
   * and the paths a commit moves them to.
   */
  public static List<RunManifest.Move> moves(OutputFolder out, String staging, WaveVideos videos) {
    List<RunManifest.Move> moves = new ArrayList<>();
    List<String> tables = new ArrayList<>(TABLES);
    if (videos != null) {
      tables.add(VideoRun.MANIFEST);
      moves.addAll(videos.moves());
    }
    for (String table : tables) {
      for (String name : out.list(staging + "/" + table)) {
        if (!Tables.isHidden(name)) {
          moves.add(new RunManifest.Move(staging + "/" + table + "/" + name, table + "/" + name));
        }
      }
    }
    return moves;
  }
}
