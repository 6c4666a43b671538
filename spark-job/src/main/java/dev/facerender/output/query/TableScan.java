package dev.facerender.output.query;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.StructType;

/**
 * The one thing each scheduler supplies to read a run's tables back: a fold over their rows, by
 * Spark's tasks where the files lie or file by file in this JVM. Every question about the tables
 * ({@link RunTables}) is written once, over this.
 */
public interface TableScan {
  /**
   * Folds every row of {@code reads} into parts that {@code zero} starts, settles them and merges
   * them. With {@code byClip}, the rows of one clip (a read's first column is its clip_id), across
   * all reads, meet in one part; without, parts split the rows in no set way.
   */
  <P extends Fold<P>> P fold(List<Read> reads, boolean byClip, Fold.Zero<P> zero);

  /**
   * The {@code columns} of table folder {@code table}, in that order, rows of run {@code runId}
   * only (null: every run). A missing table has no rows.
   */
  record Read(String table, StructType columns, String runId) {
    /** The columns' names, then run_id where it is filtered on and not among them. */
    public List<String> names() {
      List<String> names = new ArrayList<>(List.of(columns.fieldNames()));
      if (runId != null && !names.contains("run_id")) {
        names.add("run_id");
      }
      return names;
    }

    /** Where run_id stands in {@link #names()}, or -1 when every run's rows are read. */
    public int runColumn() {
      return runId == null ? -1 : names().indexOf("run_id");
    }
  }
}
