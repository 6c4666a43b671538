package dev.facerender.job;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.hash.Murmur3_x86_32;

/**
 * Spreads clips over partitions by their frame counts, not by hash alone: the longest clip goes to
 * the least loaded partition, then the next (longest-processing-time first), so no task idles while
 * another holds three times the work. Clips stay whole: a clip's source and frames land in one
 * partition.
 */
public final class ClipPartitions {
  /** Spark's seed for hash partitioning ({@code HashPartitioning}: Murmur3 with seed 42). */
  private static final int SPARK_HASH_SEED = 42;

  static final String PARTITION_KEY = "partition_key";

  /** One clip's frame rows and the range of their indexes (null when none has one). */
  public record ClipFrames(long frames, Integer first, Integer last) {}

  /** The total, the partition each clip goes to, and each clip's frames. */
  public record Plan(
      long inputFrames,
      int partitions,
      Map<String, Integer> partitionOf,
      Map<String, ClipFrames> clips) {
    public Plan {
      partitionOf = Map.copyOf(partitionOf);
      clips = Map.copyOf(clips);
    }

    Plan(long inputFrames, int partitions, Map<String, Integer> partitionOf) {
      this(inputFrames, partitions, partitionOf, Map.of());
    }

    /** Frames per partition under this plan. */
    long[] loads(Map<String, Long> framesPerClip) {
      long[] loads = new long[partitions];
      partitionOf.forEach((clip, p) -> loads[p] += framesPerClip.getOrDefault(clip, 0L));
      return loads;
    }
  }

  private ClipPartitions() {}

  /**
   * Counts each clip's frames in one pass over the frames table (the total comes with it) and plans
   * {@code requested} partitions, or {@code min(clips, 2 x parallelism)} when 0.
   */
  public static Plan plan(SparkSession spark, Dataset<Row> frames, int requested) {
    Map<String, Long> counts = new java.util.HashMap<>();
    Map<String, ClipFrames> clips = new java.util.HashMap<>();
    long total = 0;
    for (Row row :
        frames
            .groupBy(col("clip_id").cast(DataTypes.StringType))
            .agg(count(lit(1)), min("frame_index"), max("frame_index"))
            .collectAsList()) {
      total += row.getLong(1);
      if (!row.isNullAt(0)) {
        counts.put(row.getString(0), row.getLong(1));
        clips.put(
            row.getString(0),
            new ClipFrames(
                row.getLong(1),
                row.isNullAt(2) ? null : ((Number) row.get(2)).intValue(),
                row.isNullAt(3) ? null : ((Number) row.get(3)).intValue()));
      }
    }
    int partitions =
        requested > 0
            ? requested
            : (int)
                Math.max(
                    1, Math.min(counts.size(), 2L * spark.sparkContext().defaultParallelism()));
    return new Plan(total, partitions, assign(counts, partitions), clips);
  }

  /** Longest clip first onto the least loaded partition; ties by clip id, so plans repeat. */
  static Map<String, Integer> assign(Map<String, Long> framesPerClip, int partitions) {
    List<Map.Entry<String, Long>> clips = new ArrayList<>(framesPerClip.entrySet());
    clips.sort(
        Map.Entry.<String, Long>comparingByValue()
            .reversed()
            .thenComparing(Map.Entry.comparingByKey()));
    PriorityQueue<long[]> loads =
        new PriorityQueue<>(
            Comparator.<long[]>comparingLong(l -> l[0]).thenComparingLong(l -> l[1]));
    for (int p = 0; p < partitions; p++) {
      loads.add(new long[] {0, p});
    }
    Map<String, Integer> partitionOf = new java.util.HashMap<>();
    for (Map.Entry<String, Long> clip : clips) {
      long[] least = loads.poll();
      partitionOf.put(clip.getKey(), (int) least[1]);
      least[0] += clip.getValue();
      loads.add(least);
    }
    return partitionOf;
  }

  /**
   * {@code stream} (with a string {@code clip_id}) repartitioned as {@code plan} says. Each clip
   * carries a key that Spark's hash partitioning sends to its planned partition; clips the plan
   * does not know (a source without frames, a null id) go wherever their null key hashes.
   */
  public static Dataset<Row> repartition(SparkSession spark, Dataset<Row> stream, Plan plan) {
    int[] keys = keysFor(plan.partitions());
    List<Row> rows = new ArrayList<>(plan.partitionOf().size());
    plan.partitionOf().forEach((clip, p) -> rows.add(RowFactory.create(clip, keys[p])));
    StructType schema =
        new StructType()
            .add("clip_id", DataTypes.StringType, false)
            .add(PARTITION_KEY, DataTypes.IntegerType, false);
    Dataset<Row> assignment = spark.createDataFrame(rows, schema);
    String[] columns = stream.columns();
    return stream
        .join(
            broadcast(assignment), stream.col("clip_id").equalTo(assignment.col("clip_id")), "left")
        .repartition(plan.partitions(), col(PARTITION_KEY))
        .select(
            java.util.Arrays.stream(columns)
                .map(stream::col)
                .toArray(org.apache.spark.sql.Column[]::new));
  }

  /**
   * For each partition {@code p < n}, the smallest non-negative int that Spark's hash partitioning
   * ({@code pmod(murmur3(key, 42), n)}) sends to {@code p}.
   */
  static int[] keysFor(int n) {
    int[] keys = new int[n];
    java.util.Arrays.fill(keys, -1);
    int found = 0;
    for (int k = 0; found < n; k++) {
      int p = Math.floorMod(Murmur3_x86_32.hashInt(k, SPARK_HASH_SEED), n);
      if (keys[p] < 0) {
        keys[p] = k;
        found++;
      }
    }
    return keys;
  }
}
