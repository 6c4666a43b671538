package dev.facerender.schedule.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Tasks at once per executor and per device, as Spark schedules CPUs and GPU shares. */
class SparkTopologyTest {
  private static SparkTopology.Slots slots(
      String master, String cores, String gpus, String amount, int machineCores) {
    return SparkTopology.slots(master, cores, "1", gpus, amount, machineCores);
  }

  @Test
  void anEightCoreExecutorWithOneGpuAtAQuarterRunsFourTasksOnIt() {
    for (String master : new String[] {"spark://m:7077", "yarn", "k8s://https://api:6443"}) {
      assertThat(slots(master, "8", "1", "0.25", 2)).isEqualTo(new SparkTopology.Slots(4, 4));
    }
    assertThat(slots("spark://m:7077", "16", "1", "0.25", 2))
        .as("the GPU's four slots bind, not the 16 cores")
        .isEqualTo(new SparkTopology.Slots(4, 4));
  }

  @Test
  void anAmountOfOneGivesEachTaskAWholeGpu() {
    assertThat(slots("yarn", "8", "1", "1", 2)).isEqualTo(new SparkTopology.Slots(1, 1));
    assertThat(slots("yarn", "8", "4", "1", 2)).isEqualTo(new SparkTopology.Slots(4, 1));
    assertThat(slots("yarn", "8", "4", "2", 2)).isEqualTo(new SparkTopology.Slots(2, 1));
  }

  @Test
  void coresBindWhenTheyAreFewerThanTheGpuSlots() {
    assertThat(slots("spark://m:7077", "3", "2", "0.25", 2))
        .isEqualTo(new SparkTopology.Slots(3, 3));
    assertThat(slots("spark://m:7077", "16", "2", "0.25", 2))
        .isEqualTo(new SparkTopology.Slots(8, 4));
  }

  @Test
  void localModeUsesTheDriversGpusAndItsThreads() {
    assertThat(slots("local[8]", "", "1", "0.25", 2)).isEqualTo(new SparkTopology.Slots(4, 4));
    assertThat(slots("local[*]", "", "1", "0.5", 16)).isEqualTo(new SparkTopology.Slots(2, 2));
    assertThat(slots("local[8]", "", "1", "1", 2)).isEqualTo(new SparkTopology.Slots(1, 1));
  }

  @Test
  void withoutGpuSchedulingEveryTaskSharesTheOneDevice() {
    assertThat(slots("local[2]", "", "", "", 8)).isEqualTo(new SparkTopology.Slots(2, 2));
    assertThat(slots("spark://m:7077", "", "", "", 6)).isEqualTo(new SparkTopology.Slots(6, 6));
    assertThat(slots("yarn", "", "", "", 6))
        .as("YARN and Kubernetes default spark.executor.cores to 1")
        .isEqualTo(new SparkTopology.Slots(1, 1));
    assertThat(slots("k8s://https://api", "", "", "", 6)).isEqualTo(new SparkTopology.Slots(1, 1));
    assertThat(SparkTopology.slots("local[8]", "", "2", "", "", 2))
        .as("two CPUs per task")
        .isEqualTo(new SparkTopology.Slots(4, 4));
  }
}
