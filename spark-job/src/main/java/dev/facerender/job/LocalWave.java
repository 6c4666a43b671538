package dev.facerender.job;

import dev.facerender.io.ParquetRowWriter;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/** The local engine's one wave: its small tables written, then checked and committed. */
final class LocalWave {
  private static final long TABLE_ROW_GROUP_BYTES = 128L << 20;

  private LocalWave() {}

  /** Checks the staged wave as {@link WaveCommitter} does, then commits it through the manifest. */
  static void commit(
      Configuration conf,
      OutputFolder out,
      OutputLock lock,
      RunStatus status,
      String staging,
      long inputFrames) {
    String runId = status.runId();
    CommittedCounts counts =
        LocalCounts.read(
            conf, out.child(staging + "/frames"), out.child(staging + "/errors"), runId);
    String problem = counts.problem(inputFrames, "wave 0");
    if (problem != null) {
      throw new RunFailedException(
          "Exactly-once check failed: " + problem + ". The wave was not published.");
    }
    List<RunManifest.Move> moves = WaveRunner.tableMoves(out, staging, WaveRunner.TABLES);
    lock.check();
    new RunManifest(out, runId)
        .commit(
            new RunManifest.Wave(
                0,
                counts.clips(),
                counts.frameRows(),
                counts.errorRows(),
                counts.errorFrames(),
                0,
                moves));
    AfterCommit.tidy("removing " + Staging.ROOT, () -> out.delete(Staging.ROOT));
    Map<String, Object> waves = status.waves();
    waves.put("committed", 1);
    waves.put("input_frames_this_attempt", inputFrames);
    waves.put("frames_rendered_this_attempt", counts.frameRows());
    status.running();
  }

  /** {@code rows} as one Parquet file of {@code table} in {@code out}. */
  static <T> void writeTable(
      Configuration conf,
      OutputFolder out,
      String table,
      StructType schema,
      List<T> rows,
      Function<T, Row> toRow) {
    String file = out.child(table + "/part-00000-" + System.nanoTime() + ".snappy.parquet");
    try (ParquetRowWriter writer =
        new ParquetRowWriter(file, schema, conf, true, TABLE_ROW_GROUP_BYTES)) {
      for (T row : rows) {
        writer.write(toRow.apply(row));
      }
    }
  }
}
