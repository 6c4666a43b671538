package dev.facerender.schedule;

import static org.apache.spark.sql.functions.spark_partition_id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.run.LocalSpark;
import dev.facerender.schedule.spark.SparkScan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClipPartitionsTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("local[2]");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void longestClipsFirstGiveEvenLoadsWhereHashingGaveThreeToOne() {
    // The case hashing got wrong: 8 clips of 120 frames over 4 partitions as 360/120/360/120.
    Map<String, Long> even = new HashMap<>();
    for (int i = 0; i < 8; i++) {
      even.put(String.format("clip-%04d", i), 120L);
    }
    ClipPartitions.Plan plan = new ClipPartitions.Plan(4, ClipPartitions.assign(even, 4));
    assertThat(plan.loads(even)).containsOnly(240L);

    Map<String, Long> uneven = Map.of("a", 500L, "b", 300L, "c", 200L, "d", 200L, "e", 100L);
    long[] loads = new ClipPartitions.Plan(2, ClipPartitions.assign(uneven, 2)).loads(uneven);
    assertThat(loads).containsExactlyInAnyOrder(600L, 700L);
  }

  @Test
  void sparksHashPartitioningSendsEachClipWhereThePlanSays() {
    StructType schema =
        new StructType()
            .add("clip_id", DataTypes.StringType, true)
            .add("frame_index", DataTypes.IntegerType, true);
    List<Row> rows = new ArrayList<>();
    int[] lengths = {90, 10, 40, 40, 30, 25, 15, 5, 60};
    for (int c = 0; c < lengths.length; c++) {
      for (int f = 0; f < lengths[c]; f++) {
        rows.add(RowFactory.create("clip-" + c, f));
      }
    }
    rows.add(RowFactory.create(null, 0));
    Dataset<Row> frames = spark.createDataFrame(rows, schema);
    ClipCounts counts = SparkScan.fold(frames, () -> new ClipCounts.Tally("frames")).counts();
    assertThat(counts.total()).isEqualTo(316);
    assertThat(counts.clips()).hasSize(lengths.length);
    assertThat(counts.waveFrames(3)).containsExactly(waveCounts(frames, 3));
    ClipPartitions.Plan plan = ClipPartitions.plan(counts.wave(0, 1), 3, 2);
    Dataset<Row> spread = ClipPartitions.repartition(spark, frames, plan);
    assertThat(spread.columns()).containsExactly("clip_id", "frame_index");
    assertThat(spread.rdd().getNumPartitions()).isEqualTo(3);
    for (Row r :
        spread
            .where("clip_id is not null")
            .select(spread.col("clip_id"), spark_partition_id())
            .distinct()
            .collectAsList()) {
      assertThat(r.getInt(1)).as(r.getString(0)).isEqualTo(plan.partitionOf().get(r.getString(0)));
    }
    assertThat(spread.count()).isEqualTo(316);
  }

  /** Frames per wave as Spark's own expression puts them. */
  private static long[] waveCounts(Dataset<Row> frames, int waves) {
    long[] counts = new long[waves];
    for (Row r : frames.groupBy(Waves.of(waves)).count().collectAsList()) {
      counts[r.getInt(0)] = r.getLong(1);
    }
    return counts;
  }

  @Test
  void keysCoverEveryPartition() {
    for (int n : new int[] {1, 2, 7, 64}) {
      assertThat(ClipPartitions.keysFor(n)).hasSize(n).doesNotContain(-1);
    }
  }
}
