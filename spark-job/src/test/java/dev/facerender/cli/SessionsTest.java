package dev.facerender.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
}
