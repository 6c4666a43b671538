package dev.facerender.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.io.InputException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionsTest {
  @Test
  void localRunsGetAShufflePartitionPerTaskThreadAndNoAdaptiveStages() {
    assertThat(Sessions.localDefaults("local[*]", 6))
        .containsEntry("spark.sql.shuffle.partitions", "6")
        .containsEntry("spark.sql.adaptive.enabled", "false")
        .containsEntry("spark.ui.enabled", "false");
    assertThat(Sessions.localDefaults("local[3]", 6))
        .containsEntry("spark.sql.shuffle.partitions", "3");
    assertThat(Sessions.localDefaults("local[2,4]", 6))
        .containsEntry("spark.sql.shuffle.partitions", "2");
    assertThat(Sessions.localDefaults("local", 6))
        .containsEntry("spark.sql.shuffle.partitions", "1");
  }

  @Test
  void gpuAmountsOnALocalMasterAreRefusedBeforeSparkStartsWithWhatToSetInstead() {
    Map<String, String> amounts =
        Map.of("spark.executor.resource.gpu.amount", "1", "spark.task.resource.gpu.amount", "0.25");
    long start = System.nanoTime();
    assertThatThrownBy(() -> Sessions.create("local[4]", amounts))
        .isInstanceOf(InputException.class)
        .hasMessageContaining("=0.25")
        .hasMessageContaining("would wait forever")
        .hasMessageContaining("spark.driver.resource.gpu.amount=1")
        .hasMessageContaining("local[4]");
    assertThat(System.nanoTime() - start)
        .as("refused before any session")
        .isLessThan(5_000_000_000L);
    assertThatThrownBy(
            () ->
                Sessions.checkLocalGpuSettings(
                    "local", Map.of("spark.task.resource.gpu.amount", "1")))
        .hasMessageContaining("spark.task.resource.gpu.amount=1");
  }

  @Test
  void gpuAmountsOnAClusterMasterAreSparksToSchedule() {
    assertThatCode(
            () ->
                Sessions.checkLocalGpuSettings(
                    "spark://127.0.0.1:7077", Map.of("spark.task.resource.gpu.amount", "0.25")))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                Sessions.checkLocalGpuSettings(
                    "local[2]", Map.of("spark.driver.resource.gpu.amount", "1")))
        .doesNotThrowAnyException();
  }
}
