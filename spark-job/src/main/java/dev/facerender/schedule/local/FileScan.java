package dev.facerender.schedule.local;

import dev.facerender.io.ParquetTable;
import dev.facerender.output.query.Fold;
import dev.facerender.output.query.TableScan;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * A run's tables read in this JVM, file by file, the named columns only: one part over every read,
 * which holds each clip whole as grouping asks. What the local scheduler reads instead of starting
 * Spark jobs.
 */
public record FileScan(Configuration conf) implements TableScan {
  @Override
  public <P extends Fold<P>> P fold(List<Read> reads, boolean byClip, Fold.Zero<P> zero) {
    P part = zero.get();
    for (int i = 0; i < reads.size(); i++) {
      Read read = reads.get(i);
      // A missing table has no rows, as Spark reads a folder with no data files.
      ParquetTable table = ParquetTable.open(read.table(), conf);
      if (table == null) {
        continue;
      }
      int index = i;
      int width = read.columns().size();
      int runColumn = read.runColumn();
      table.forEach(
          read.names(),
          v -> {
            if (runColumn < 0 || read.runId().equals(v[runColumn])) {
              part.add(index, v.length == width ? v : Arrays.copyOf(v, width));
            }
          });
    }
    part.settle();
    return part;
  }
}
