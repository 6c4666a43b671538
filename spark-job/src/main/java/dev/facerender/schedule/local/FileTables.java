package dev.facerender.schedule.local;

import dev.facerender.io.ParquetTable;
import dev.facerender.io.Schemas;
import dev.facerender.io.TableRows;
import dev.facerender.job.MetricsDigest;
import dev.facerender.metrics.FrameError;
import dev.facerender.output.CommittedCounts;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.VideoCounts;
import dev.facerender.output.VideoRun;
import dev.facerender.output.digest.BatchRows;
import dev.facerender.schedule.RunTables;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;

/**
 * A run's tables read back in this JVM, file by file, key columns only where counting: what the
 * local scheduler's run reads instead of starting Spark jobs. Same answers as {@code
 * spark.SparkTables}.
 */
public final class FileTables implements RunTables {
  private final Configuration conf;

  public FileTables(Configuration conf) {
    this.conf = conf;
  }

  @Override
  public CommittedCounts counts(String frames, String errors, String videos, String runId) {
    CommittedCounts tables = LocalCounts.read(conf, frames, errors, runId);
    if (videos == null) {
      return tables;
    }
    long[] rowsAndFrames = new long[2];
    Set<String> clips = new HashSet<>();
    ofRun(
        videos,
        List.of("run_id", "clip_id", "frames"),
        runId,
        v -> {
          rowsAndFrames[0]++;
          rowsAndFrames[1] += (Long) v[2];
          clips.add((String) v[1]);
        });
    return tables.withVideos(new VideoCounts(rowsAndFrames[0], clips.size(), rowsAndFrames[1]));
  }

  @Override
  public long overlap(String staged, String existing) {
    // The staged side is one wave: its keys fit in memory; the existing table is only scanned.
    Set<List<Object>> mine = new HashSet<>();
    forEach(staged, List.of("clip_id", "frame_index"), v -> mine.add(Arrays.asList(v)));
    long[] found = {0};
    forEach(
        existing,
        List.of("clip_id", "frame_index"),
        v -> {
          if (mine.remove(Arrays.asList(v))) {
            found[0]++;
          }
        });
    return found[0];
  }

  @Override
  public MetricsDigest digest(String metrics, String runId) {
    return (new BatchRows() {
          @Override
          public <P extends Part<P>> P fold(Zero<P> zero) {
            // One part over the whole table: each pass streams it, holding no batch list.
            P part = zero.get();
            readRows(metrics, Schemas.METRICS, runId, row -> part.add(TableRows.metrics(row)));
            return part;
          }
        })
        .digest(metrics);
  }

  @Override
  public List<FrameError> errorSample(String errors, String runId, int limit) {
    Comparator<FrameError> byKey =
        Comparator.comparing(FrameError::clipId, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(
                FrameError::frameIndex, Comparator.nullsFirst(Comparator.naturalOrder()));
    // Rows of one key stay in file order, as a stable sort of the whole table would leave them.
    Comparator<Map.Entry<Long, FrameError>> order =
        Comparator.<Map.Entry<Long, FrameError>, FrameError>comparing(Map.Entry::getValue, byKey)
            .thenComparing(Map.Entry::getKey);
    // The first rows only: a run of bad input may reject millions; keep the limit's worth.
    PriorityQueue<Map.Entry<Long, FrameError>> kept = new PriorityQueue<>(order.reversed());
    long[] seen = {0};
    readRows(
        errors,
        Schemas.ERRORS,
        runId,
        row -> {
          kept.add(Map.entry(seen[0]++, TableRows.error(row)));
          if (kept.size() > limit) {
            kept.poll();
          }
        });
    List<Map.Entry<Long, FrameError>> rows = new ArrayList<>(kept);
    rows.sort(order);
    return rows.stream().map(Map.Entry::getValue).toList();
  }

  @Override
  public String videoFailure(OutputFolder out, String runId) {
    if (!out.exists(VideoRun.MANIFEST)) {
      return VideoRun.missingManifest(out);
    }
    List<Map.Entry<String, Long>> recorded = new ArrayList<>();
    ofRun(
        out.child(VideoRun.MANIFEST),
        List.of("run_id", "file", "bytes"),
        runId,
        v -> recorded.add(Map.entry((String) v[1], (Long) v[2])));
    return VideoRun.checkCommitted(out, recorded);
  }

  /** Every row of {@code table} whose first column, run_id, is {@code runId}. */
  private void ofRun(String table, List<String> columns, String runId, Consumer<Object[]> row) {
    forEach(
        table,
        columns,
        v -> {
          if (runId.equals(v[0])) {
            row.accept(v);
          }
        });
  }

  /** Run {@code runId}'s rows of {@code table}, whole, as rows of {@code schema}. */
  private void readRows(String table, StructType schema, String runId, Consumer<Row> rows) {
    int runColumn = schema.fieldIndex("run_id");
    forEach(
        table,
        List.of(schema.fieldNames()),
        v -> {
          if (runId.equals(v[runColumn])) {
            rows.accept(new GenericRowWithSchema(v, schema));
          }
        });
  }

  /** A missing table has no rows, as Spark reads a folder with no data files. */
  private void forEach(String table, List<String> columns, Consumer<Object[]> row) {
    ParquetTable opened = ParquetTable.open(table, conf);
    if (opened != null) {
      opened.forEach(columns, row);
    }
  }
}
