package dev.facerender.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MasterTest {
  @Test
  void inProcessMastersAreLocalWithTheirThreads() {
    assertThat(Master.of("local").localThreads(8)).isEqualTo(1);
    assertThat(Master.of("local[3]").localThreads(8)).isEqualTo(3);
    assertThat(Master.of("local[*]").localThreads(8)).isEqualTo(8);
    assertThat(Master.of("local[4,2]").localThreads(8)).isEqualTo(4);
    assertThat(Master.of(" local[*, 3] ").local()).isTrue();
  }

  @Test
  void clustersAndLocalClusterAreNotLocal() {
    for (String url : new String[] {"yarn", "k8s://https://host:6443", "spark://h:7077"}) {
      assertThat(Master.of(url).local()).as(url).isFalse();
      assertThat(Master.of(url).localThreads(8)).as(url).isEqualTo(-1);
    }
    assertThat(Master.of("local-cluster[2,1,1024]").local()).isFalse();
    assertThat(Master.of("localhost").local()).isFalse();
  }

  @Test
  void onlyAFailureCountAboveOneRetriesTasks() {
    assertThat(Master.of("local[2]").retriesTasks()).isFalse();
    assertThat(Master.of("local[2,1]").retriesTasks()).isFalse();
    assertThat(Master.of("local[2,4]").retriesTasks()).isTrue();
  }
}
