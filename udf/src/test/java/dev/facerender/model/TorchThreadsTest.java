package dev.facerender.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bytedeco.openblas.presets.openblas_nolapack;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Intra-op threads belong to the calling thread: a pooled thread keeps what it first got unless it
 * sets its own, so every rendering thread sets them (a task after a driver-side check or an earlier
 * run in the same JVM would otherwise run with their count).
 */
class TorchThreadsTest {
  private static final ExecutorService POOLED = Executors.newSingleThreadExecutor();

  @AfterAll
  static void stop() {
    POOLED.shutdownNow();
  }

  @Test
  void aThreadKeepsItsOwnCountUntilItSetsOneAndTheLastCallWins() throws Exception {
    assertThat(on(() -> Torch.configureThreads(2))).isEqualTo(2);
    assertThat(on(torch::get_num_threads)).isEqualTo(2);

    assertThat(Torch.configureThreads(1)).isEqualTo(1);
    assertThat(torch.get_num_threads()).isEqualTo(1);
    // Set elsewhere, not here: the pooled thread still runs with what it had.
    assertThat(on(torch::get_num_threads)).isEqualTo(2);

    assertThat(on(() -> Torch.configureThreads(1))).isEqualTo(1);
    assertThat(on(torch::get_num_threads)).isEqualTo(1);
    assertThat(Torch.configureThreads(2)).isEqualTo(2);
    assertThat(torch.get_num_threads()).isEqualTo(2);
  }

  @Test
  void openBlasRunsOnTheCountLastAskedFor() throws Exception {
    // The presets report the count they last handed OpenBLAS (-1 before any, and where they
    // found no OpenBLAS to hand it to).
    assertThat(on(() -> Torch.configureThreads(3))).isEqualTo(3);
    assertThat(openblas_nolapack.blas_get_num_threads()).isEqualTo(3);
    assertThat(Torch.configureThreads(1)).isEqualTo(1);
    assertThat(openblas_nolapack.blas_get_num_threads()).isEqualTo(1);
  }

  private static int on(java.util.concurrent.Callable<Integer> call) throws Exception {
    return POOLED.submit(call).get();
  }
}
