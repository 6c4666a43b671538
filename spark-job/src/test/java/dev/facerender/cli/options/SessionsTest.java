package dev.facerender.cli.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.device.DeviceChoice;
import dev.facerender.device.DeviceKind;
import dev.facerender.io.InputException;
import dev.facerender.job.DeviceUse;
import dev.facerender.schedule.spark.SparkTopology;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  private static final DeviceChoice TWO_GPUS =
      new DeviceChoice(DeviceKind.CUDA, List.of(0, 1), "cuda:0,cuda:1: GPU natives, 2 GPUs seen");

  @Test
  void aLocalRunOnGpusLendsTheDriversGpusToItsTasks(@TempDir Path dir) throws Exception {
    Map<String, String> settings = Sessions.driverGpus("local[*]", Map.of(), TWO_GPUS, dir);

    assertThat(settings).containsEntry("spark.driver.resource.gpu.amount", "2");
    Process script =
        new ProcessBuilder(settings.get("spark.driver.resource.gpu.discoveryScript")).start();
    assertThat(new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isEqualTo("{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\"]}\n");
    assertThat(script.waitFor()).isZero();
  }

  @Test
  void theCpuAClusterOrGpuSettingsOfTheCommandsOwnGetNoneAdded(@TempDir Path dir) {
    DeviceChoice cpu = new DeviceChoice(DeviceKind.CPU, List.of(), "cpu: --device cpu");
    DeviceChoice simulated =
        new DeviceChoice(DeviceKind.SIMULATED_GPU, List.of(0), "sim-gpu:0: simulated");

    assertThat(Sessions.driverGpus("local[*]", Map.of(), cpu, dir)).isEmpty();
    assertThat(Sessions.driverGpus("local[*]", Map.of(), simulated, dir)).isEmpty();
    assertThat(Sessions.driverGpus("local[*]", Map.of(), null, dir)).isEmpty();
    assertThat(Sessions.driverGpus("spark://host:7077", Map.of(), TWO_GPUS, dir)).isEmpty();
    assertThat(
            Sessions.driverGpus(
                "local[4]", Map.of("spark.driver.resource.gpu.amount", "1"), TWO_GPUS, dir))
        .isEmpty();
  }

  @Test
  void localSparkStartedForGpusHandsTheirIndicesToTasks() {
    SparkSession active = SparkSession.getActiveSession().getOrElse(() -> null);
    if (active != null) {
      active.stop();
    }
    SparkSession spark = Sessions.create("local[1]", Map.of(), TWO_GPUS);
    try {
      assertThat(SparkTopology.driverGpus(spark).addresses()).containsExactly("0", "1");
      assertThat(SparkTopology.device(spark, TWO_GPUS, Map.of()))
          .isEqualTo(new DeviceUse("cuda:0,cuda:1", "cuda:0,cuda:1: GPU natives, 2 GPUs seen"));
    } finally {
      spark.stop();
    }
  }
}
