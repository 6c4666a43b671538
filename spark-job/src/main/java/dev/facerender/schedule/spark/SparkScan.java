package dev.facerender.schedule.spark;

import static org.apache.spark.sql.functions.col;

import dev.facerender.output.query.Fold;
import dev.facerender.output.query.TableScan;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A run's tables folded by Spark's tasks where the files lie: only settled parts reach the driver,
 * never rows. Grouping by clip is Spark SQL's hash repartitioning of each read into the same number
 * of partitions, so partition i of every read holds the same clips and the reads are zipped
 * partition by partition (how Spark lines up co-partitioned tables for a join).
 */
public final class SparkScan implements TableScan {
  private final SparkSession spark;

  public SparkScan(SparkSession spark) {
    this.spark = spark;
  }

  @Override
  public <P extends Fold<P>> P fold(List<Read> reads, boolean byClip, Fold.Zero<P> zero) {
    int partitions = spark.sparkContext().defaultParallelism();
    JavaRDD<Tagged> rows = null;
    for (int i = 0; i < reads.size(); i++) {
      JavaRDD<Tagged> read = read(reads.get(i), i, byClip, partitions);
      if (rows == null) {
        rows = read;
      } else if (byClip) {
        rows = rows.zipPartitions(read, SparkScan::concat);
      } else {
        rows = rows.union(read);
      }
    }
    return foldTagged(rows, zero);
  }

  /** {@code rows} (any Dataset) folded in Spark's tasks as rows of read 0. */
  public static <P extends Fold<P>> P fold(Dataset<Row> rows, Fold.Zero<P> zero) {
    return foldTagged(rows.javaRDD().map(r -> new Tagged(0, values(r))), zero);
  }

  private static <P extends Fold<P>> P foldTagged(JavaRDD<Tagged> rows, Fold.Zero<P> zero) {
    return rows.mapPartitions(
            (Iterator<Tagged> it) -> {
              P part = zero.get();
              it.forEachRemaining(t -> part.add(t.read(), t.values()));
              part.settle();
              return List.of(part).iterator();
            })
        .fold(settled(zero), Fold::merge);
  }

  private static <P extends Fold<P>> P settled(Fold.Zero<P> zero) {
    P part = zero.get();
    part.settle();
    return part;
  }

  /** The read's rows, tagged with {@code index}; with {@code byClip}, hashed by clip. */
  private JavaRDD<Tagged> read(Read read, int index, boolean byClip, int partitions) {
    if (!exists(read.table())) {
      return JavaSparkContext.fromSparkContext(spark.sparkContext())
          .parallelize(List.<Tagged>of(), byClip ? partitions : 1);
    }
    StructType schema = read.columns();
    if (read.runColumn() >= schema.size()) {
      schema = schema.add("run_id", DataTypes.StringType);
    }
    Dataset<Row> rows = spark.read().schema(schema).parquet(read.table());
    if (read.runId() != null) {
      rows = rows.where(col("run_id").equalTo(read.runId()));
    }
    rows = rows.select(columns(read.columns()));
    if (byClip) {
      rows = rows.repartition(partitions, col(read.columns().fieldNames()[0]));
    }
    return rows.javaRDD().map(r -> new Tagged(index, values(r)));
  }

  private static Column[] columns(StructType schema) {
    List<Column> columns = new ArrayList<>();
    for (String name : schema.fieldNames()) {
      columns.add(col(name));
    }
    return columns.toArray(new Column[0]);
  }

  private static Object[] values(Row row) {
    Object[] values = new Object[row.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = row.get(i);
    }
    return values;
  }

  private boolean exists(String table) {
    Path path = new Path(table);
    try {
      return path.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + table + ": " + e.getMessage(), e);
    }
  }

  private static Iterator<Tagged> concat(Iterator<Tagged> a, Iterator<Tagged> b) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return a.hasNext() || b.hasNext();
      }

      @Override
      public Tagged next() {
        return a.hasNext() ? a.next() : b.next();
      }
    };
  }

  /** A row and the index of the read it came from. */
  private record Tagged(int read, Object[] values) implements Serializable {}
}
