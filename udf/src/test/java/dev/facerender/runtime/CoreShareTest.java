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
  void calibrationMeasuresAtTheShareTheWaitingTasksWillLeave() {
    CoreShare cores = new CoreShare(2);
    CoreShare.Lease calibrating = cores.pending();
    CoreShare.Lease waiting = cores.pending();
    // Neither renders yet: a batch would get every core, calibration measures at the share both
    // will run at.
    assertThat(cores.threadsEach()).isEqualTo(2);
    assertThat(cores.threadsEachOnceStarted()).isEqualTo(1);
    calibrating.count();
    waiting.count();
    assertThat(cores.threadsEach()).isEqualTo(1);
    assertThat(cores.threadsEachOnceStarted()).isEqualTo(1);
    waiting.close();
    calibrating.close();
    CoreShare.Lease alone = cores.pending();
    assertThat(cores.threadsEachOnceStarted())
        .as("a lone task calibrates on every core")
        .isEqualTo(2);
    alone.close();
    CoreShare.Lease failed = cores.pending();
    failed.close();
    failed.close();
    assertThat(cores.threadsEachOnceStarted()).as("a closed wait counts no more").isEqualTo(2);
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
