package dev.facerender.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MemoTest {
  @Test
  void aSlowKeyNeverBlocksAnotherAndOneKeyIsComputedOnce() throws Exception {
    Memo<String, Integer> memo = new Memo<>();
    CountDownLatch slowStarted = new CountDownLatch(1);
    CountDownLatch slowMayEnd = new CountDownLatch(1);
    AtomicInteger slowRuns = new AtomicInteger();
    CompletableFuture<Integer> slow =
        CompletableFuture.supplyAsync(
            () ->
                memo.get(
                    "cuda:1",
                    k -> {
                      slowRuns.incrementAndGet();
                      slowStarted.countDown();
                      try {
                        slowMayEnd.await(30, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return 1;
                    }));
    assertThat(slowStarted.await(30, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Integer> sameKey =
        CompletableFuture.supplyAsync(() -> memo.get("cuda:1", k -> 99));
    // Another key completes while the slow one is still computing.
    assertThat(memo.get("cuda:0", k -> 0)).isZero();
    assertThat(sameKey).isNotDone();
    slowMayEnd.countDown();
    assertThat(slow.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(sameKey.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(slowRuns).hasValue(1);
  }

  @Test
  void aFailureReachesItsCallerAndIsNotKept() {
    Memo<String, Integer> memo = new Memo<>();
    assertThatThrownBy(
            () ->
                memo.get(
                    "k",
                    k -> {
                      throw new IllegalStateException("calibration failed");
                    }))
        .hasMessage("calibration failed");
    assertThat(memo.get("k", k -> 7)).isEqualTo(7);
    assertThat(memo.drain()).containsExactly(7);
    assertThat(memo.drain()).isEmpty();
  }
}
