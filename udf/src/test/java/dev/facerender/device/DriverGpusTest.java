package dev.facerender.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

class DriverGpusTest {
  private static String address(Map<String, ResourceInformation> resources) {
    return resources.get("gpu").addresses()[0];
  }

  @Test
  void tasksGivenNoGpuTakeTheDriversInTurnByPartition() {
    DriverGpus gpus = new DriverGpus(List.of("0", "2"));

    assertThat(address(gpus.forTask(Map.of(), 0))).isEqualTo("0");
    assertThat(address(gpus.forTask(Map.of(), 1))).isEqualTo("2");
    assertThat(address(gpus.forTask(null, 4))).isEqualTo("0");
    assertThat(address(gpus.forTask(Map.of(), 7))).isEqualTo("2");
  }

  @Test
  void aGpuSparkAssignedWins() {
    Map<String, ResourceInformation> given = GpuResources.gpu(5);

    assertThat(new DriverGpus(List.of("0")).forTask(given, 0)).isSameAs(given);
  }

  @Test
  void withoutDriverGpusTasksKeepWhatTheyHave() {
    assertThat(DriverGpus.NONE.forTask(Map.of(), 3)).isEmpty();
    assertThat(DriverGpus.NONE.forTask(null, 3)).isEmpty();
  }

  @Test
  void anAddressThatIsNoCudaIndexIsRefusedOnTheDriver() {
    assertThatThrownBy(() -> new DriverGpus(List.of("GPU-5f2c")))
        .hasMessageContaining("'GPU-5f2c'")
        .hasMessageContaining("discovery script");
  }
}
