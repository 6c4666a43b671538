package dev.facerender.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.facerender.cli.Main;
import dev.facerender.job.ProgressListener;
import dev.facerender.job.RenderRequest;
import dev.facerender.job.RunSummary;
import dev.facerender.output.RunStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report describes a finished run and cannot fail it: a report that throws (as the JDK's font
 * manager does on a machine without fonts) or that the file system refuses leaves the run
 * succeeded, its frames committed, and the reason under run.json's {@code report}.
 */
class ReportBestEffortTest {
  private static final Map<String, String> BROKEN_REPORT =
      Map.of("spark.facerender.injectReportFailure", "true", "spark.facerender.batchSize", "4");
  private static final String INJECTED = "Injected report failure (--inject-report-failure)";

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
  void aReportThatThrowsLeavesTheSparkRunSucceededWithTheRootCauseInRunJson() throws Exception {
    Path out = dir.resolve("spark-out");

    RunSummary run = LocalSpark.render(spark, input, out, BROKEN_REPORT);

    assertThat(run.reportFailure()).startsWith(INJECTED);
    assertSucceededWithoutReport(out);
    assertThat(LocalSpark.frames(spark, out)).hasSize(48);
  }

  @Test
  void aReportThatThrowsLeavesTheLocalRunSucceededAndTheConsoleSaysWhy() throws Exception {
    Path out = dir.resolve("local-out");

    Console console =
        Console.capture(
            () ->
                Main.execute(
                    "render",
                    "--engine",
                    "local",
                    "--frames",
                    input.resolve("frames").toString(),
                    "--sources",
                    input.resolve("sources").toString(),
                    "--out",
                    out.toString(),
                    "--inject-report-failure",
                    "true"));

    assertThat(console.exitCode()).as(console.err()).isZero();
    assertSucceededWithoutReport(out);
    assertThat(LocalSpark.frames(spark, out)).hasSize(48);
    List<String> lines = console.out().lines().toList();
    assertThat(lines.get(lines.size() - 1))
        .contains("no report.html (" + INJECTED)
        .doesNotContain("InvocationTargetException");
  }

  @Test
  void aReportTheFileSystemRefusesLeavesTheRunSucceededAndSaysWhatRanOut() throws Exception {
    RefusingFs.register(spark);
    Path local = dir.resolve("full-out");
    String uri = "refusefs://" + local.toAbsolutePath();

    RunSummary run =
        new SparkEngine(spark)
            .run(
                new RenderRequest(
                    input.resolve("frames").toString(),
                    input.resolve("sources").toString(),
                    uri,
                    null,
                    "error-if-exists",
                    0,
                    Map.of("spark.facerender.batchSize", "4")),
                ProgressListener.NONE);

    assertThat(run.reportFailure()).contains("ran out of space");
    JsonNode runJson = runJson(local);
    assertThat(runJson.path("status").asText()).isEqualTo("succeeded");
    assertThat(runJson.path("report").path("status").asText()).isEqualTo("failed");
    assertThat(runJson.path("report").path("reason").asText())
        .contains("The file system ran out of space (No space left on device)");
    assertThat(local.resolve("report.html")).doesNotExist();
    assertThat(local.resolve("_SUCCESS")).exists();
    assertThat(spark.read().parquet(local.resolve("frames").toString()).count()).isEqualTo(48);
  }

  @Test
  void aWrittenReportIsRecordedAsWritten() throws Exception {
    Path out = dir.resolve("fine-out");

    RunSummary run = LocalSpark.renderLocally(input, out, Map.of());

    assertThat(run.reportFailure()).isNull();
    JsonNode report = runJson(out).path("report");
    assertThat(report.path("status").asText()).isEqualTo("written");
    assertThat(report.path("file").asText()).isEqualTo("report.html");
    assertThat(report.has("problems")).isFalse();
    assertThat(out.resolve("report.html")).isNotEmptyFile();
  }

  private static void assertSucceededWithoutReport(Path out) throws IOException {
    JsonNode run = runJson(out);
    assertThat(run.path("status").asText()).isEqualTo("succeeded");
    assertThat(run.has("failure")).isFalse();
    JsonNode report = run.path("report");
    assertThat(report.path("status").asText()).isEqualTo("failed");
    assertThat(report.path("reason").asText())
        .startsWith(INJECTED)
        .doesNotContain("InvocationTargetException");
    assertThat(run.path("metrics_json").path("status").asText()).isEqualTo("written");
    assertThat(run.path("totals").path("rendered_frames").asLong()).isEqualTo(48);
    assertThat(out.resolve("report.html")).doesNotExist();
    assertThat(out.resolve("metrics.json")).isNotEmptyFile();
    assertThat(out.resolve("_SUCCESS")).exists();
    assertThat(out.resolve("frames/_SUCCESS")).exists();
  }

  private static JsonNode runJson(Path out) throws IOException {
    return new ObjectMapper().readTree(out.resolve(RunStatus.FILE).toFile());
  }

  /** What a CLI call printed, and its exit code. */
  record Console(int exitCode, String out, String err) {
    interface Call {
      int run();
    }

    static Console capture(Call call) {
      PrintStream out = System.out;
      PrintStream err = System.err;
      ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
      ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
      int code;
      try {
        System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
        code = call.run();
      } finally {
        System.setOut(out);
        System.setErr(err);
      }
      return new Console(
          code,
          outBytes.toString(StandardCharsets.UTF_8),
          errBytes.toString(StandardCharsets.UTF_8));
    }
  }
}
