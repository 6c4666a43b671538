package dev.facerender.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.model.Torch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * A thread that ran a parallel op on two threads keeps an OpenMP worker until it ends; Linux names
 * the worker after the thread that started it, which is how this test sees it.
 */
class ShortLivedThreadTest {
  @Test
  void theOpenMpWorkersOfWorkRunOnAShortLivedThreadEndWithIt() throws Exception {
    // OpenBLAS sized here first: a change of its count starts threads named after the caller.
    Torch.configureThreads(2);
    ExecutorService pooled = Executors.newSingleThreadExecutor(r -> new Thread(r, "fr-pooled-omp"));
    try {
      pooled.submit(ShortLivedThreadTest::parallelOp).get();
      assertThat(threadsNamed("fr-pooled-omp")).as("the pooled thread and its worker").isEqualTo(2);

      assertThat(ShortLivedThread.call("fr-passing-omp", ShortLivedThreadTest::parallelOp))
          .isEqualTo(4_000_000L);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (threadsNamed("fr-passing-omp") > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(threadsNamed("fr-passing-omp")).isZero();
    } finally {
      pooled.shutdownNow();
    }
  }

  @Test
  void whatTheWorkThrowsReachesTheCaller() {
    assertThatThrownBy(
            () ->
                ShortLivedThread.call(
                    "fr-failing",
                    () -> {
                      throw new IllegalArgumentException("bad batch");
                    }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bad batch");
  }

  /** An element-wise op over 4M floats: libtorch splits it over its two OpenMP threads. */
  private static long parallelOp() {
    Torch.configureThreads(2);
    try (Scalar two = new Scalar(2.0);
        Tensor x = torch.ones(2000, 2000);
        Tensor y = x.mul(two)) {
      return y.numel();
    }
  }

  private static long threadsNamed(String name) throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      return tasks.filter(t -> name.equals(comm(t))).count();
    }
  }

  private static String comm(Path task) {
    try {
      return Files.readString(task.resolve("comm")).strip();
    } catch (IOException gone) {
      return ""; // the thread ended between the listing and the read
    }
  }
}
