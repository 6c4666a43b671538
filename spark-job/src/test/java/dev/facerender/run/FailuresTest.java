package dev.facerender.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.facerender.job.Failures;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.RunStatus;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failure is told by the cause that explains it, never by the class name of a wrapper. */
class FailuresTest {
  /** What the JDK throws when its font manager cannot start on a machine without fonts. */
  private static final InternalError FONT_FAILURE =
      new InternalError(
          new InvocationTargetException(
              new RuntimeException(
                  "Fontconfig head is null, check your fonts or fonts configuration")));

  @TempDir Path dir;

  @Test
  void theFontManagersFailureIsToldByItsCauseNotByTheReflectiveWrapper() {
    assertThat(FONT_FAILURE.getMessage()).isEqualTo("java.lang.reflect.InvocationTargetException");

    assertThat(Failures.describe(FONT_FAILURE))
        .isEqualTo("Fontconfig head is null, check your fonts or fonts configuration");
  }

  @Test
  void failuresOfOtherThreadsAndProxiesAreUnwrappedToTheFirstMeaningfulMessage() {
    Throwable nested =
        new CompletionException(
            new ExecutionException(
                new UndeclaredThrowableException(
                    new IllegalStateException(
                        "Chart 'fps' has no points", new RuntimeException("deeper detail")))));

    assertThat(Failures.describe(nested)).isEqualTo("Chart 'fps' has no points");
    assertThat(Failures.describe(new ExceptionInInitializerError(FONT_FAILURE)))
        .isEqualTo("Fontconfig head is null, check your fonts or fonts configuration");
  }

  @Test
  void aCauseWithoutAMessageIsNamedAndAJdkExceptionKeepsItsClassName() {
    assertThat(Failures.describe(new RuntimeException(new NullPointerException())))
        .isEqualTo("NullPointerException");
    assertThat(Failures.describe(new NoSuchFileException("/data/frames/part-0.parquet")))
        .isEqualTo("NoSuchFileException: /data/frames/part-0.parquet");
    assertThat(Failures.describe(new IllegalStateException("first line\nsecond line")))
        .isEqualTo("first line");
  }

  @Test
  void aCauseChainThatLoopsIsReadOnceWhenLookingForAFileSystemProblem() {
    RuntimeException first = new RuntimeException("first");
    RuntimeException second = new RuntimeException("second", first);
    first.initCause(second);

    assertTimeoutPreemptively(
        Duration.ofSeconds(5), () -> assertThat(Failures.outputProblem(first)).isNull());
    RuntimeException full =
        new RuntimeException("write failed", new IOException("No space left on device"));
    assertThat(Failures.outputProblem(full)).contains("ran out of space");
  }

  @Test
  void onlyTheJvmsOwnErrorsAreFatalNotALibrarysInternalErrorWithACause() {
    assertThat(Failures.isFatal(new OutOfMemoryError("Java heap space"))).isTrue();
    assertThat(Failures.isFatal(new StackOverflowError())).isTrue();
    assertThat(Failures.isFatal(new InternalError("bad bytecode"))).isTrue();
    assertThat(Failures.isFatal(FONT_FAILURE)).isFalse();
    assertThat(Failures.isFatal(new Error("Probable fatal error: No physical fonts found.")))
        .isFalse();
    assertThat(Failures.isFatal(new NoClassDefFoundError("sun/awt/X11FontManager"))).isFalse();
  }

  @Test
  void aRunThatFailsWithAWrappedErrorRecordsAndThrowsTheRootCause() throws Exception {
    Path out = dir.resolve("out");

    assertThatThrownBy(
            () ->
                RunGuard.run(
                    OutputFolder.of(new Configuration(), out.toString()),
                    "error-if-exists",
                    "local",
                    (folder, lock, status, cancel) -> {
                      status.running();
                      throw FONT_FAILURE;
                    }))
        .hasMessage("Fontconfig head is null, check your fonts or fonts configuration")
        .hasRootCauseMessage("Fontconfig head is null, check your fonts or fonts configuration");

    JsonNode run = new ObjectMapper().readTree(out.resolve(RunStatus.FILE).toFile());
    assertThat(run.path("status").asText()).isEqualTo("failed");
    assertThat(run.path("failure").asText())
        .isEqualTo("Fontconfig head is null, check your fonts or fonts configuration");
  }
}
