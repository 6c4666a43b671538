package dev.facerender.output.query;

import dev.facerender.io.Schemas;
import dev.facerender.io.TableRows;
import dev.facerender.job.MetricsDigest;
import dev.facerender.metrics.FrameError;
import dev.facerender.output.CommittedCounts;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.VideoRun;
import dev.facerender.output.digest.BatchRows;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What a run's tables hold, asked once for both schedulers: each question is a fold over the
 * scheduler's {@link TableScan}, key columns only where counting (never the images).
 */
public final class RunTables {
  private static final StructType KEYS =
      new StructType()
          .add("clip_id", DataTypes.StringType)
          .add("frame_index", DataTypes.IntegerType);

  private final TableScan scan;

  public RunTables(TableScan scan) {
    this.scan = scan;
  }

  /**
   * What {@code frames}, {@code errors} and, when not null, {@code videos} (a videos_manifest
   * folder) hold for {@code runId}: one fold, grouped by clip.
   */
  public CommittedCounts counts(String frames, String errors, String videos, String runId) {
    List<TableScan.Read> reads = new ArrayList<>();
    reads.add(new TableScan.Read(frames, KEYS, runId));
    reads.add(new TableScan.Read(errors, KEYS.add("stage", DataTypes.StringType), runId));
    if (videos != null) {
      reads.add(
          new TableScan.Read(
              videos,
              new StructType()
                  .add("clip_id", DataTypes.StringType)
                  .add("frames", DataTypes.LongType),
              runId));
    }
    return scan.fold(reads, true, CountFold::new).counts(videos != null);
  }

  /**
   * Rows of {@code staged} whose (clip_id, frame_index) is already in {@code existing}, any run's.
   * The staged side is one wave, so its keys are held; the existing table is only scanned.
   */
  public long overlap(String staged, String existing) {
    KeyOverlap.Staged mine =
        scan.fold(List.of(new TableScan.Read(staged, KEYS, null)), false, KeyOverlap.Staged::new);
    if (mine.isEmpty()) {
      return 0;
    }
    Map<List<Object>, Long> rows = mine.rows();
    KeyOverlap.Found found =
        scan.fold(
            List.of(new TableScan.Read(existing, KEYS, null)),
            false,
            () -> new KeyOverlap.Found(rows));
    return found.rowsOf(rows);
  }

  /** The digest of run {@code runId}'s batches in the metrics table {@code metrics}. */
  public MetricsDigest digest(String metrics, String runId) {
    List<TableScan.Read> reads = List.of(new TableScan.Read(metrics, Schemas.METRICS, runId));
    return (new BatchRows() {
          @Override
          public <P extends Part<P>> P fold(Zero<P> zero) {
            return scan.fold(reads, false, () -> new Batches<>(zero.get())).part;
          }
        })
        .digest(metrics);
  }

  /** The first {@code limit} error rows of {@code runId}, by clip and frame index, nulls first. */
  public List<FrameError> errorSample(String errors, String runId, int limit) {
    return scan.fold(
            List.of(new TableScan.Read(errors, Schemas.ERRORS, runId)),
            false,
            () -> new FirstErrors(limit))
        .rows();
  }

  /** What is wrong with run {@code runId}'s committed videos in {@code out}, or null. */
  public String videoFailure(OutputFolder out, String runId) {
    if (!out.exists(VideoRun.MANIFEST)) {
      return VideoRun.missingManifest(out);
    }
    StructType fileAndBytes =
        new StructType().add("file", DataTypes.StringType).add("bytes", DataTypes.LongType);
    AllRows recorded =
        scan.fold(
            List.of(new TableScan.Read(out.child(VideoRun.MANIFEST), fileAndBytes, runId)),
            false,
            AllRows::new);
    return VideoRun.checkCommitted(
        out, recorded.rows.stream().map(v -> Map.entry((String) v[0], (Long) v[1])).toList());
  }

  /** A digest part fed the metrics table's rows as batches. */
  private static final class Batches<P extends BatchRows.Part<P>> implements Fold<Batches<P>> {
    private static final long serialVersionUID = 1L;
    private final P part;

    Batches(P part) {
      this.part = part;
    }

    @Override
    public void add(int read, Object[] values) {
      part.add(TableRows.metrics(new GenericRowWithSchema(values, Schemas.METRICS)));
    }

    @Override
    public Batches<P> merge(Batches<P> other) {
      part.merge(other.part);
      return this;
    }
  }

  /** Every row, for a table known to be small (a run's video manifest: a row per clip). */
  private static final class AllRows implements Fold<AllRows> {
    private static final long serialVersionUID = 1L;
    private final ArrayList<Object[]> rows = new ArrayList<>();

    @Override
    public void add(int read, Object[] values) {
      rows.add(values);
    }

    @Override
    public AllRows merge(AllRows other) {
      rows.addAll(other.rows);
      return this;
    }
  }
}
