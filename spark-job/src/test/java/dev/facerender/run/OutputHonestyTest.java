package dev.facerender.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.codec.RgbImage;
import dev.facerender.io.DemoFaces;
import dev.facerender.io.InputException;
import dev.facerender.io.Schemas;
import dev.facerender.job.RunSummary;
import dev.facerender.output.OutputLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output says only what is true: one run per folder, no black frames for NaN output. (A report
 * that fails after the frames are committed leaves the run succeeded: {@link
 * ReportBestEffortTest}.)
 */
class OutputHonestyTest {
  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path input;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("local[2]");
    input = LocalSpark.demo(spark, dir, 4, 12, 48);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void aSecondRunIntoTheSameFolderIsRefusedAtOnceAndTheFirstStaysExact() throws Exception {
    Path out = dir.resolve("shared");
    // Many small waves keep the first run busy long enough for the second to meet it.
    CompletableFuture<RunSummary> first =
        CompletableFuture.supplyAsync(
            () ->
                LocalSpark.render(
                    spark,
                    input,
                    out,
                    Map.of(
                        "spark.facerender.batchSize", "4", "spark.facerender.waveFrames", "12")));
    Path lock = out.resolve(OutputLock.NAME);
    while (!Files.exists(lock) && !first.isDone()) {
      Thread.sleep(5);
    }
    assertThat(first).isNotDone();

    long refusedAt = System.nanoTime();
    assertThatThrownBy(() -> LocalSpark.render(spark, input, out, Map.of()))
        .isInstanceOf(InputException.class)
        .hasMessageContaining("is in use by run")
        .hasMessageContaining("process " + ProcessHandle.current().pid());
    assertThat((System.nanoTime() - refusedAt) / 1e9).isLessThan(5);

    RunSummary run = first.get();
    List<Row> frames = LocalSpark.frames(spark, out);
    assertThat(frames).hasSize(48);
    assertThat(frames.stream().map(r -> r.getAs("clip_id") + "#" + r.getAs("frame_index")))
        .doesNotHaveDuplicates();
    assertThat(frames)
        .allSatisfy(r -> assertThat(r.<String>getAs("run_id")).isEqualTo(run.runId()));
    assertThat(out.resolve("_SUCCESS")).exists();
    assertThat(lock).doesNotExist();
  }

  /**
   * A model that is fine on the driver's 2-frame check but returns NaN, in batches over 2, for
   * frames whose coefficient 0 is over 0.5: those frames become error rows naming the model.
   */
  @Test
  void framesRenderedAsNanBecomeErrorRowsAndNeverBlackImages() throws Exception {
    Path model =
        TestModels.save(
            dir.resolve("nan-in-big-batches.pt"),
            """
            def forward(self, source: Tensor, coeffs: Tensor) -> Tensor:
                out = source.clone()
                if source.size(0) > 2:
                    bad = (coeffs[:, 0] > 0.5).view([-1, 1, 1, 1])
                    out = torch.where(bad, out * float('nan'), out)
                return out
            """);
    List<Row> sources = new ArrayList<>();
    List<Row> frames = new ArrayList<>();
    Set<String> nan = new HashSet<>();
    for (int clip = 0; clip < 2; clip++) {
      sources.add(RowFactory.create("c" + clip, DemoFaces.png(3, clip, 32)));
      for (int i = 0; i < 16; i++) {
        List<Float> coeffs = new ArrayList<>(Collections.nCopies(70, 0f));
        if (i % 3 == clip) {
          coeffs.set(0, 1f);
          nan.add("c" + clip + "#" + i);
        }
        frames.add(RowFactory.create("c" + clip, i, LocalSpark.seq(coeffs)));
      }
    }
    Path data =
        LocalSpark.writeInput(spark, dir.resolve("nan-input"), sources, Schemas.SOURCES, frames);
    Path out = dir.resolve("nan-out");

    RunSummary run =
        LocalSpark.renderLocally(
            data,
            out,
            Map.of(
                "spark.facerender.model", model.toString(),
                "spark.facerender.batchSize", "16",
                "spark.facerender.maxErrorRate", "1"));

    List<Row> errors = spark.read().parquet(out.resolve("errors").toString()).collectAsList();
    assertThat(errors.stream().map(r -> r.getAs("clip_id") + "#" + r.getAs("frame_index")))
        .containsExactlyInAnyOrderElementsOf(nan);
    assertThat(errors)
        .allSatisfy(
            r -> {
              assertThat(r.<String>getAs("error_code")).isEqualTo("NON_FINITE_OUTPUT");
              assertThat(r.<String>getAs("message"))
                  .contains("nan-in-big-batches.pt")
                  .contains("NaN");
            });
    List<Row> written = LocalSpark.frames(spark, out);
    assertThat(written).hasSize(32 - nan.size());
    for (Row frame : written) {
      RgbImage image = LocalSpark.decode(frame);
      int brightest = 0;
      for (byte b : image.bgr()) {
        brightest = Math.max(brightest, b & 0xff);
      }
      assertThat(brightest)
          .as("frame %s#%s", frame.getAs("clip_id"), frame.getAs("frame_index"))
          .isPositive();
    }
    assertThat(run.errorFrames()).isEqualTo(nan.size());
    assertThat(spark.read().parquet(out.resolve("metrics").toString()).collectAsList())
        .allSatisfy(r -> assertThat(r.<Integer>getAs("actual_batch")).isGreaterThan(2));
  }
}
