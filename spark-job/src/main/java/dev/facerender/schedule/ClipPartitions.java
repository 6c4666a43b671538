package dev.facerender.schedule;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

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

  /** One clip's frame rows, the range of their indexes (null when none has one), its hash. */
  public record ClipFrames(long frames, Integer first, Integer last, int hash) {}

  /** The partitions of one wave and the partition each of its clips goes to. */
  public record Plan(int partitions, Map<String, Integer> partitionOf) {
    public Plan {
      partitionOf = Map.copyOf(partitionOf);
    }

    /** Frames per partition under this plan. */
    long[] loads(Map<String, Long> framesPerClip) {
      long[] loads = new long[partitions];
      partitionOf.forEach((clip, p) -> loads[p] += framesPerClip.getOrDefault(clip, 0L));
      return loads;
    }
  }

  /**
   * Beyond this many clips in a wave, hashing spreads them evenly enough by itself, and the driver
   * keeps no per-clip plan.
   */
  static final int MAX_PLANNED_CLIPS = 100_000;

  private ClipPartitions() {}

  /**
   * A plan for {@code clips} (frames per clip) over {@code requested} partitions, or {@code
   * min(clips, 2 x parallelism)} when 0; null (hash them) past {@link #MAX_PLANNED_CLIPS}.
   */
  public static Plan plan(Map<String, Long> clips, int requested, int parallelism) {
    int partitions =
        requested > 0 ? requested : (int) Math.max(1, Math.min(clips.size(), 2L * parallelism));
    if (clips.size() > MAX_PLANNED_CLIPS) {
      return null;
    }
    return new Plan(partitions, assign(clips, partitions));
  }

  /** Partitions for {@code clips} clips when they are hashed, not planned. */
  public static int hashedPartitions(long clips, int requested, int parallelism) {
    return requested > 0 ? requested : (int) Math.max(1, Math.min(clips, 2L * parallelism));
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

  /**
   * The rows spread over partitions as {@code spark.WaveRunner} spreads them (clips by frame
   * counts, {@link ClipPartitions}), each sorted as Spark sorts a task's rows: clip, source first,
   * frame.
   */
  public static List<List<Row>> spread(
      List<Row> rows, Map<String, Long> framesPerClip, int requested, int threads) {
    ClipPartitions.Plan plan = ClipPartitions.plan(framesPerClip, requested, threads);
    int n =
        plan == null
            ? ClipPartitions.hashedPartitions(framesPerClip.size(), requested, threads)
            : plan.partitions();
    List<List<Row>> partitions = new ArrayList<>();
    for (int p = 0; p < n; p++) {
      partitions.add(new ArrayList<>());
    }
    for (Row row : rows) {
      String clip = row.isNullAt(1) ? null : row.getString(1);
      Integer planned = plan == null || clip == null ? null : plan.partitionOf().get(clip);
      // Clips the plan does not know (a source without frames, a null id) go by their hash.
      int p = planned != null ? planned : clip == null ? 0 : Math.floorMod(clip.hashCode(), n);
      partitions.get(p).add(row);
    }
    Comparator<Row> order =
        Comparator.<Row, String>comparing(
                r -> r.isNullAt(1) ? null : r.getString(1),
                Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(r -> !r.getBoolean(0))
            .thenComparing(
                r -> r.isNullAt(2) ? null : r.getInt(2),
                Comparator.nullsFirst(Comparator.naturalOrder()));
    partitions.forEach(partition -> partition.sort(order));
    return partitions;
  }
}
