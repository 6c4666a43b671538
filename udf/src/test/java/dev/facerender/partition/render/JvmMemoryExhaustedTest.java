package dev.facerender.partition.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.partition.Fixtures;
import dev.facerender.partition.faults.BatchFaults;
import dev.facerender.partition.task.RenderSettings;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The JVM's own memory running out in a batch is not the device's: no split retry hides it. */
class JvmMemoryExhaustedTest {
  @Test
  void aJavaHeapOomInABatchFailsTheTaskWithItsCauseInsteadOfSplittingTheBatch() {
    RenderSettings settings = Fixtures.settings("batchSize", "8", "pipelineDepth", "1");
    Fixtures.PlannedDevice device = new Fixtures.PlannedDevice("heap-oom", 1L << 30, 0, 1);
    OutOfMemoryError heap = new OutOfMemoryError("Java heap space");
    List<Integer> batches = new CopyOnWriteArrayList<>();
    BatchFaults heapRunsOut =
        (frames, pixels) -> {
          batches.add(frames);
          throw heap;
        };

    assertThatThrownBy(
            () ->
                Fixtures.renderWithWarp(
                    Fixtures.clip("c", 32, 8, 0f),
                    settings,
                    new Fixtures.Sinks(),
                    device,
                    heapRunsOut))
        .isInstanceOf(JvmMemoryExhausted.class)
        .hasMessageContaining("ran out of memory (Java heap space)")
        .hasMessageContaining("a batch of 8 frames (clip c frames 0-7) on heap-oom")
        .hasMessageContaining("not split")
        .hasMessageContaining("spark.executor.memory")
        .hasMessageContaining("--pipeline-depth")
        .cause()
        .isSameAs(heap);
    assertThat(batches).as("tried once, never split in halves").containsExactly(8);
  }
}
