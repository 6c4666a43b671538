package dev.facerender.partition.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.facerender.device.CpuDevice;
import dev.facerender.model.BuiltinModels;
import dev.facerender.model.FrameModel;
import dev.facerender.model.Models;
import dev.facerender.model.Torch;
import dev.facerender.partition.FakeCpu;
import dev.facerender.partition.Fixtures;
import dev.facerender.partition.faults.BatchFaults;
import dev.facerender.partition.frame.ClipSource;
import dev.facerender.partition.frame.PendingFrame;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.runtime.DeviceState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * A batch renders with the run's intra-op threads, whatever its (pooled) thread had before; without
 * a fixed count, with the JVM's cores split by the tasks alive when it starts, unless its batches
 * measured fewer threads to be faster.
 */
class RenderThreadsTest {
  @Test
  void aBatchOnAThreadLeftWithAnotherCountRendersWithTheRunsThreads() throws Exception {
    RenderSettings settings = Fixtures.settings("torchThreads", "1");
    ExecutorService pooled = Executors.newSingleThreadExecutor();
    try (FrameModel model = Models.load(BuiltinModels.WARP)) {
      BatchRenderer renderer =
          new BatchRenderer(
              model, null, new DeviceState(new CpuDevice(0.5)), settings, BatchFaults.NONE);
      ClipSource source = new ClipSource("c", Fixtures.rgb(32), null);
      PendingFrame frame = new PendingFrame("c", 0, new float[70], source);
      // An earlier task or a driver-side check on this thread left two.
      pooled.submit(() -> Torch.configureThreads(2)).get();
      int during =
          pooled
              .submit(
                  () -> {
                    renderer.calibrationRun(frame, 2);
                    return torch.get_num_threads();
                  })
              .get();
      assertThat(during).isEqualTo(1);
      source.release();
    } finally {
      pooled.shutdownNow();
    }
  }

  @Test
  void withoutAFixedCountABatchTakesTheCoresOfTasksThatEnded() throws Exception {
    RenderSettings settings = Fixtures.settings();
    DeviceState state = new DeviceState(new CpuDevice(0.5));
    int cores = state.cores().cores();
    try (FrameModel model = Models.load(BuiltinModels.WARP);
        BatchRenderer renderer =
            new BatchRenderer(model, null, state, settings, BatchFaults.NONE)) {
      ClipSource source = new ClipSource("c", Fixtures.rgb(32), null);
      PendingFrame frame = new PendingFrame("c", 0, new float[70], source);
      try (var task = state.cores().join()) {
        renderer.calibrationRun(frame, 1);
        assertThat(torch.get_num_threads()).as("one task alone: every core").isEqualTo(cores);
        try (var other = state.cores().join()) {
          renderer.calibrationRun(frame, 1);
          assertThat(torch.get_num_threads())
              .as("a second task started: half each")
              .isEqualTo(Math.max(1, cores / 2));
        }
        renderer.calibrationRun(frame, 1);
        assertThat(torch.get_num_threads()).as("it ended: its cores come back").isEqualTo(cores);
      } finally {
        source.release();
      }
    }
  }

  @Test
  void theLastTaskKeepsOneThreadWhenTwoRenderedItsBatchesSlower() throws Exception {
    DeviceState state = new DeviceState(new SlowOnSeveralThreads());
    assumeThat(state.cores().cores())
        .as("a machine of two cores or more")
        .isGreaterThanOrEqualTo(2);
    SlowOnSeveralThreads device = (SlowOnSeveralThreads) state.device();
    try (FrameModel model = Models.load(BuiltinModels.WARP);
        BatchRenderer renderer =
            new BatchRenderer(model, null, state, Fixtures.settings(), BatchFaults.NONE)) {
      ClipSource source = new ClipSource("c", Fixtures.rgb(32), null);
      try (var task = state.cores().join()) {
        try (var other = state.cores().join()) {
          renderer.render(batchOf(source, 0)).frames();
          renderer.render(batchOf(source, 1)).frames();
        }
        renderer.render(batchOf(source, 2)).frames();
        renderer.render(batchOf(source, 3)).frames();
        renderer.render(batchOf(source, 4)).frames();
      } finally {
        source.release();
      }
    }
    assertThat(device.threadsPerBatch)
        .as("one each beside the other task; alone, every core tried once, then one again")
        .containsExactly(1, 1, state.cores().cores(), 1, 1);
  }

  private static FrameBatch batchOf(ClipSource source, int index) {
    return new FrameBatch(List.of(new PendingFrame("c", index, new float[70], source)));
  }

  /**
   * The CPU for a network that more threads slow down (as two OpenMP threads do a reduced SadTalker
   * export here): a batch started on more than one thread takes 200 ms longer. Records each batch's
   * thread count.
   */
  private static final class SlowOnSeveralThreads extends FakeCpu {
    private final List<Integer> threadsPerBatch = new ArrayList<>();

    SlowOnSeveralThreads() {
      super("slow-on-several-threads");
    }

    @Override
    public void beforeBatch(int frames, long pixels) {
      int threads = torch.get_num_threads();
      threadsPerBatch.add(threads);
      if (threads > 1) {
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
