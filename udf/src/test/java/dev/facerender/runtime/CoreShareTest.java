package dev.facerender.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CoreShareTest {
  @Test
  void aTaskStillWaitingToPlanLeavesTheRunningTaskEveryCore() {
    CoreShare cores = new CoreShare(4);
    CoreShare.Lease running = cores.join();
    CoreShare.Lease waiting = cores.pending();
    assertThat(cores.threadsEach()).isEqualTo(4);

    waiting.count();
    assertThat(cores.threadsEach()).isEqualTo(2);
    waiting.count();
    assertThat(cores.threadsEach()).as("counting twice counts once").isEqualTo(2);

    running.close();
    running.close();
    assertThat(cores.threadsEach()).as("closing twice frees once").isEqualTo(4);
  }

  @Test
  void aLeaseClosedBeforeItsPlanNeverCounts() {
    CoreShare cores = new CoreShare(2);
    CoreShare.Lease other = cores.join();
    CoreShare.Lease failed = cores.pending();
    failed.close();
    failed.count();
    assertThat(cores.threadsEach()).isEqualTo(2);
    other.close();
  }
}
