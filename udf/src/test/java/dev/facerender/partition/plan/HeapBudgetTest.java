package dev.facerender.partition.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.batch.HeapLimit;
import dev.facerender.partition.Fixtures;
import dev.facerender.partition.frame.ClipSource;
import dev.facerender.partition.frame.PendingFrame;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.runtime.DeviceState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** In-flight batches live on the heap too: a batch the heap cannot hold is never planned. */
class HeapBudgetTest {
  @Test
  void thePlannerBoundsABatchByTheHeapItsPipelineHolds() {
    RenderSettings settings = Fixtures.settings("batchSize", "512", "pipelineDepth", "2");
    BatchPlanner planner =
        new BatchPlanner(
            settings,
            new DeviceState(new Fixtures.PlannedDevice("heap-plan", 1L << 34, 0, 1)),
            1,
            256L << 20);
    PendingFrame frame =
        new PendingFrame("c", 0, new float[70], new ClipSource("c", Fixtures.rgb(1024), null));
    HeapLimit heap = planner.heapLimit(frame);
    // 1024 x 1024 x 3 bytes of pixels and as much encoded, 3 batches held, 40% of 256 MiB.
    assertThat(heap.bytesPerFrame()).isEqualTo(1024L * 1024 * 6 + 70 * 4);
    assertThat(heap.batchesHeld()).isEqualTo(3);
    assertThat(heap.frames())
        .isEqualTo((int) ((long) (256L * 1024 * 1024 * 0.4) / (1024L * 1024 * 6 + 280) / 3));

    BatchPlanner.Planned planned = planner.plan(null, List.of(frame));
    assertThat(planned.plan().batch()).isEqualTo(heap.frames()).isLessThan(512);
    assertThat(planned.plan().reason()).contains("fixed by --batch-size", "heap", "binds");
  }

  @Test
  void aRenderOfLargeFramesInASmallHeapCompletesWithoutAJavaOom()
      throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-Xmx192m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    SmallHeapRender.class.getName(),
                    "1024",
                    "12"))
            .redirectErrorStream(true)
            .start();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    String text = new String(output, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(text).isZero();
    assertThat(text).doesNotContain("OutOfMemoryError").contains("frames 12 ");
    // 40% of 192 MiB over three batches of 6 MiB frames: 4 frames, and no heap OOM to split.
    assertThat(text).containsPattern("planned [1-4] ooms 0");
  }
}
