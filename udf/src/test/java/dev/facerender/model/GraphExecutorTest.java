package dev.facerender.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.config.GraphExecutor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which of libtorch's three executors each setting selects. Executor mode off is the legacy
 * executor, whose CUDA fuser failed on an H200 ("CUDA driver error: invalid argument"): neither
 * setting may select it.
 */
class GraphExecutorTest {
  @AfterEach
  void restoreTheDefault() {
    GraphExecutor.SIMPLE.use();
  }

  @Test
  void simpleIsLibtorchsSimpleExecutorNotTheLegacyOne() {
    GraphExecutor.SIMPLE.use();
    assertThat(torch.getExecutorMode().get()).as("executor mode (off: legacy)").isTrue();
    assertThat(torch.getProfilingMode().get()).as("profiling mode").isFalse();
  }

  @Test
  void profilingIsTheProfilingExecutor() {
    GraphExecutor.PROFILING.use();
    assertThat(torch.getExecutorMode().get()).isTrue();
    assertThat(torch.getProfilingMode().get()).isTrue();
  }
}
