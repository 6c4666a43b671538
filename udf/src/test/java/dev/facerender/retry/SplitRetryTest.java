package dev.facerender.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitRetryTest {
  /** A batch of item ids that counts how often each instance is closed. */
  static final class Items implements Splittable<Items> {
    final List<Integer> ids;
    final List<Items> all;
    int closes;

    Items(List<Integer> ids, List<Items> all) {
      this.ids = List.copyOf(ids);
      this.all = all;
      all.add(this);
    }

    @Override
    public int size() {
      return ids.size();
    }

    @Override
    public List<Items> split() {
      int half = ids.size() / 2;
      close();
      return List.of(
          new Items(ids.subList(0, half), all), new Items(ids.subList(half, ids.size()), all));
    }

    @Override
    public void close() {
      closes++;
    }
  }

  private static RuntimeException cudaOom() {
    return new RuntimeException(OutOfMemoryErrors.cudaMessage(1 << 30, 0, 16L << 30, 1 << 20));
  }

  private final List<Items> created = new ArrayList<>();
  private final List<Integer> sizesTried = new ArrayList<>();

  private Items input(int n) {
    return new Items(IntStream.range(0, n).boxed().toList(), created);
  }

  private SplitRetry<Items, List<Integer>> retry(
      Function<Items, List<Integer>> work, int singleRetries) {
    return new SplitRetry<>(
        items -> {
          sizesTried.add(items.size());
          return work.apply(items);
        },
        (items, error) -> List.of(-1 - items.ids.get(0)),
        singleRetries);
  }

  @Test
  void anOomSplitsTheBatchKeepsOrderAndClosesEveryPieceOnce() {
    List<Integer> oomOn = new ArrayList<>(List.of(8, 4));
    SplitRetry<Items, List<Integer>> retry =
        retry(
            items -> {
              if (oomOn.remove((Integer) items.size())) {
                throw cudaOom();
              }
              return items.ids;
            },
            0);
    int[] ooms = {0};
    List<List<Integer>> results =
        retry.run(
            input(8),
            new SplitRetry.Listener() {
              @Override
              public void onOutOfMemory(int size, RuntimeException error) {
                ooms[0]++;
              }
            });

    assertThat(results.stream().flatMap(List::stream).toList())
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    assertThat(sizesTried).containsExactly(8, 4, 2, 2, 4);
    assertThat(ooms[0]).isEqualTo(2);
    assertThat(created).hasSize(5).allSatisfy(items -> assertThat(items.closes).isEqualTo(1));
  }

  @Test
  void anOomDeepInTheCauseChainIsRecognised() {
    RuntimeException wrapped =
        new IllegalStateException("task failed", new RuntimeException("x", cudaOom()));
    assertThat(OutOfMemoryErrors.isOutOfMemory(wrapped)).isTrue();
    assertThat(OutOfMemoryErrors.isOutOfMemory(new RuntimeException("shape mismatch"))).isFalse();
    assertThat(
            OutOfMemoryErrors.isOutOfMemory(
                new RuntimeException("batch failed", new OutOfMemoryError("Java heap space"))))
        .as("the JVM's heap is not the device's memory")
        .isFalse();
    assertThat(
            OutOfMemoryErrors.isOutOfMemory(
                new RuntimeException(
                    "DefaultCPUAllocator: can't allocate memory: you tried to allocate 9 bytes")))
        .isTrue();
    assertThat(
            List.of(
                "cuDNN error: CUDNN_STATUS_ALLOC_FAILED",
                "cuDNN error: CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED",
                "CUDA driver error: out of memory",
                "CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`"))
        .as("an OOM inside cuDNN, cuBLAS or the driver API is an OOM")
        .allSatisfy(
            m -> assertThat(OutOfMemoryErrors.isOutOfMemory(new RuntimeException(m))).isTrue());
  }

  @Test
  void aSingleItemThatStillRunsOutOfMemoryBecomesAnErrorResultNotAFailure() {
    Set<Integer> poison = Set.of(2);
    SplitRetry<Items, List<Integer>> retry =
        retry(
            items -> {
              if (items.ids.stream().anyMatch(poison::contains)) {
                throw cudaOom();
              }
              return items.ids;
            },
            1);

    List<List<Integer>> results = retry.run(input(4), new SplitRetry.Listener() {});

    assertThat(results.stream().flatMap(List::stream).toList()).containsExactly(0, 1, -3, 3);
    assertThat(created).allSatisfy(items -> assertThat(items.closes).isEqualTo(1));
  }

  @Test
  void aFailureThatIsNotAnOomEscapesWithTheEarlierOomsSuppressed() {
    SplitRetry<Items, List<Integer>> retry =
        retry(
            items -> {
              if (items.size() == 4) {
                throw cudaOom();
              }
              throw new IllegalArgumentException("bad input");
            },
            0);

    assertThatThrownBy(() -> retry.run(input(4), new SplitRetry.Listener() {}))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1))
        .satisfies(e -> assertThat(OutOfMemoryErrors.isOutOfMemory(e.getSuppressed()[0])).isTrue());
    assertThat(created).allSatisfy(items -> assertThat(items.closes).isEqualTo(1));
  }

  @Test
  void theCeilingDropsToWhatWorkedAndNeverAgainReachesASizeThatFailed() {
    AdaptiveCeiling ceiling = new AdaptiveCeiling(8, 2);
    ceiling.onOutOfMemory(8);
    ceiling.onOutOfMemory(4);
    assertThat(ceiling.ceiling()).isEqualTo(2);
    for (int i = 0; i < 20; i++) {
      ceiling.onSuccess(ceiling.ceiling());
    }
    assertThat(ceiling.ceiling()).isEqualTo(3);
  }

  @Test
  void theCeilingGrowsBackToThePlanWhenNothingFailedAtThatSize() {
    AdaptiveCeiling ceiling = new AdaptiveCeiling(16, 1);
    ceiling.replan(32);
    ceiling.onOutOfMemory(32);
    ceiling.replan(16);
    assertThat(ceiling.ceiling()).isEqualTo(16);
  }

  @Test
  void aGivenUpFrameTakesItsOwnHistoryAndTheNextStartsAfresh() {
    List<RuntimeException> givenUp = new ArrayList<>();
    SplitRetry<Items, List<Integer>> retry =
        new SplitRetry<>(
            items -> {
              if (items.ids.contains(0) || items.ids.contains(3)) {
                throw cudaOom();
              }
              return items.ids;
            },
            (items, error) -> {
              givenUp.add(error);
              return List.of(-1 - items.ids.get(0));
            },
            1);
    assertThat(retry.run(input(4), new SplitRetry.Listener() {})).hasSize(4);
    assertThat(givenUp).hasSize(2);
    // Frame 0: the batch of 4, the pair 0-1 and its first single try came before it.
    assertThat(givenUp.get(0).getSuppressed()).hasSize(3);
    // Frame 3: only the pair 2-3 and its own first single try, none of frame 0's failures.
    assertThat(givenUp.get(1).getSuppressed()).hasSize(2);
  }
}
