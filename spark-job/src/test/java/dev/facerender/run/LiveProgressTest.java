package dev.facerender.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.job.ProgressListener;
import dev.facerender.job.RenderRequest;
import dev.facerender.job.RunSummary;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The progress a listener sees moves while a task runs, not only when it ends. */
class LiveProgressTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    SparkSession active = SparkSession.getActiveSession().getOrElse(() -> null);
    if (active != null) {
      active.stop();
    }
    spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("facerender-progress-test")
            .config("spark.ui.enabled", "false")
            .config("spark.executor.heartbeatInterval", "200ms")
            .getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void aSingleTasksBatchesReachTheListenerBeforeTheTaskEnds(@TempDir Path dir) {
    int frames = 600;
    Path input = LocalSpark.demo(spark, dir, 1, frames, 96);
    List<Long> seen = new CopyOnWriteArrayList<>();
    ProgressListener sampling =
        new ProgressListener() {
          private final ScheduledExecutorService timer =
              Executors.newSingleThreadScheduledExecutor();

          @Override
          public void start(long totalFrames, LongSupplier done) {
            assertThat(totalFrames).isEqualTo(frames);
            timer.scheduleAtFixedRate(
                () -> seen.add(done.getAsLong()), 0, 50, TimeUnit.MILLISECONDS);
          }

          @Override
          public void stop() {
            timer.shutdownNow();
          }
        };
    RunSummary summary =
        new SparkEngine(spark)
            .run(
                new RenderRequest(
                    input.resolve("frames").toString(),
                    input.resolve("sources").toString(),
                    dir.resolve("out").toString(),
                    null,
                    "error-if-exists",
                    1,
                    Map.of("spark.facerender.batchSize", "4")),
                sampling);

    assertThat(summary.renderedFrames()).isEqualTo(frames);
    // One clip, one task: the accumulator alone reads 0 until the task ends, then all frames.
    assertThat(seen)
        .as("counts seen while the only task ran")
        .anyMatch(count -> count > 0 && count < frames);
    assertThat(seen).allMatch(count -> count <= frames);
  }
}
