package dev.facerender.partition.render;

import static dev.facerender.partition.Fixtures.awaitUninterruptibly;
import static dev.facerender.partition.Fixtures.threadNamed;
import static dev.facerender.partition.Fixtures.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RenderPipelineTest {
  /** Counts releases per item and records what ran. */
  private static final class Ledger {
    final Map<Integer, Integer> releases = new ConcurrentHashMap<>();
    final List<Integer> ran = new CopyOnWriteArrayList<>();

    void release(int item) {
      releases.merge(item, 1, Integer::sum);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 3})
  void resultsLeaveInSubmissionOrderAndEachItemIsReleasedOnceAfterItsWork(int depth) {
    Ledger ledger = new Ledger();
    RenderPipeline<Integer, Integer> pipeline =
        new RenderPipeline<>(
            depth,
            "test-render",
            item -> {
              ledger.ran.add(item);
              assertThat(ledger.releases).doesNotContainKey(item);
              return item * 10;
            },
            ledger::release,
            5_000);
    List<Integer> results = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      pipeline.submit(i);
      while (pipeline.inFlight() > depth) {
        results.add(pipeline.takeOldest().result());
      }
    }
    while (pipeline.inFlight() > 0) {
      results.add(pipeline.takeOldest().result());
    }
    pipeline.close(null);
    assertThat(results)
        .containsExactlyElementsOf(
            java.util.stream.IntStream.range(0, 20).map(i -> i * 10).boxed().toList());
    assertThat(ledger.releases).hasSize(20).allSatisfy((item, count) -> assertThat(count).isOne());
    assertThat(pipeline.isTerminated()).isTrue();
  }

  @Test
  void closeWhileABatchRunsFreesTheTaskOnlyAfterItEndsAndReleasesTheDroppedOnes() throws Exception {
    Ledger ledger = new Ledger();
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    RenderPipeline<Integer, Integer> pipeline =
        new RenderPipeline<>(
            3,
            "test-render-blocked",
            item -> {
              ledger.ran.add(item);
              if (item == 0) {
                running.countDown();
                awaitUninterruptibly(proceed);
              }
              return item;
            },
            ledger::release,
            50);
    for (int i = 0; i < 3; i++) {
      pipeline.submit(i);
    }
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    AtomicReference<String> freedOn = new AtomicReference<>();
    pipeline.close(() -> freedOn.set(Thread.currentThread().getName()));

    // The running batch still holds its item; the queued ones were dropped unrun and released.
    assertThat(freedOn.get()).isNull();
    assertThat(ledger.releases).containsOnlyKeys(1, 2);
    assertThat(pipeline.isTerminated()).isFalse();

    proceed.countDown();
    waitFor(pipeline::isTerminated);
    assertThat(ledger.ran).containsExactly(0);
    assertThat(ledger.releases)
        .containsOnlyKeys(0, 1, 2)
        .allSatisfy((k, n) -> assertThat(n).isOne());
    assertThat(freedOn.get()).isEqualTo("test-render-blocked");
    waitFor(() -> !threadNamed("test-render-blocked"));
  }

  @Test
  void anInterruptedCloserReturnsAtOnceAndTheRenderThreadFreesLater() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    Ledger ledger = new Ledger();
    RenderPipeline<Integer, Integer> pipeline =
        new RenderPipeline<>(
            1,
            "test-render-interrupted",
            item -> {
              running.countDown();
              awaitUninterruptibly(proceed);
              return item;
            },
            ledger::release,
            60_000);
    pipeline.submit(7);
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    AtomicReference<Boolean> freed = new AtomicReference<>(false);
    Thread.currentThread().interrupt();
    long start = System.nanoTime();
    pipeline.close(() -> freed.set(true));
    assertThat(Thread.interrupted()).as("interrupt flag kept").isTrue();
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(30));
    assertThat(freed.get()).isFalse();
    assertThat(ledger.releases).isEmpty();
    proceed.countDown();
    waitFor(pipeline::isTerminated);
    assertThat(freed.get()).isTrue();
    assertThat(ledger.releases).containsOnlyKeys(7);
  }

  @Test
  void aFailureNobodyTookIsReportedAtClose() {
    List<Throwable> reported = new CopyOnWriteArrayList<>();
    RenderPipeline<Integer, Integer> pipeline =
        new RenderPipeline<>(
            0,
            "test-render-failing",
            item -> {
              throw new IllegalStateException("batch " + item + " broke");
            },
            item -> {},
            1_000,
            reported::add);
    pipeline.submit(1);
    pipeline.close(null);
    assertThat(reported)
        .singleElement()
        .extracting(Throwable::getMessage)
        .isEqualTo("batch 1 broke");
  }

  @Test
  void aTakenFailureIsRethrownAsItWasAndNotReportedAgain() {
    List<Throwable> reported = new CopyOnWriteArrayList<>();
    RenderPipeline<Integer, Integer> pipeline =
        new RenderPipeline<>(
            1,
            "test-render-rethrow",
            item -> {
              throw new IllegalArgumentException("bad " + item);
            },
            item -> {},
            1_000,
            reported::add);
    pipeline.submit(3);
    assertThatThrownBy(pipeline::takeOldest)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bad 3");
    pipeline.close(null);
    assertThat(reported).isEmpty();
    assertThatThrownBy(() -> pipeline.submit(4)).isInstanceOf(IllegalStateException.class);
  }
}
