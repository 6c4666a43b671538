package dev.facerender.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.batch.Calibration;
import dev.facerender.device.Device;
import dev.facerender.device.DeviceKind;
import dev.facerender.device.sim.GpuSpec;
import dev.facerender.device.sim.SimulatedGpu;
import dev.facerender.model.BuiltinModels;
import dev.facerender.model.FrameModel;
import dev.facerender.model.Models;
import dev.facerender.partition.faults.BatchFaults;
import dev.facerender.partition.frame.ClipSource;
import dev.facerender.partition.frame.PendingFrame;
import dev.facerender.partition.plan.TaskCalibration;
import dev.facerender.partition.render.BatchRenderer;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.runtime.DeviceState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A task keeps one stream of its device for its whole life, calibration and every batch, and waits
 * on that stream wherever a time is read. The devices here have CUDA's per-stream semantics
 * (../shared/FACTS.md, "CUDA semantics", read in c10/cuda/CUDAStream.cpp and
 * CUDACachingAllocator.cpp): work is queued on the calling thread's current stream; a guard
 * restores the stream current before it; pooled streams are non-blocking, so synchronising another
 * stream (the default one) does not wait for theirs; a freed block is reused only on its stream.
 */
class TaskStreamTest {
  private static final long GIB = 1L << 30;

  @Test
  void twoTasksEachRenderEveryBatchOnOneStreamOfTheirOwn() throws Exception {
    SimulatedGpu gpu = new SimulatedGpu("sim-streams", 0, GpuSpec.of(64 * GIB));
    RenderSettings settings = Fixtures.shared(2, 2, "pipelineDepth", "1");
    List<Fixtures.Sinks> tasks =
        SimulatedRuns.concurrently(
            List.of(settings, settings),
            gpu,
            List.of(Fixtures.clip("a", 128, 96, 0.2f), Fixtures.clip("b", 128, 96, 0.4f)));
    assertThat(tasks).allSatisfy(t -> assertThat(t.metrics.size()).isGreaterThan(1));
    // Stream 0 holds the weights (loaded outside any task); each task cut segments on one stream.
    assertThat(gpu.allocator().streamsWithSegments())
        .as("streams that took segments from the device")
        .hasSize(3)
        .contains(0);
  }

  @Test
  void calibrationWaitsOnTheTaskStreamNotOnTheCurrentOne() throws Exception {
    QueueingGpu gpu = new QueueingGpu();
    RenderSettings settings = Fixtures.settings();
    try (FrameModel warp = Models.load(BuiltinModels.WARP);
        BatchRenderer renderer =
            new BatchRenderer(warp, null, new DeviceState(gpu), settings, BatchFaults.NONE)) {
      ClipSource source = new ClipSource("c", Fixtures.rgb(64), null);
      try {
        PendingFrame frame = new PendingFrame("c", 0, new float[70], source);
        Calibration calibration = TaskCalibration.measure(renderer, frame, 4, 1L << 40);
        assertThat(calibration.points()).isNotEmpty();
      } finally {
        source.release();
      }
    }
    assertThat(gpu.batches.get()).isGreaterThan(4);
    assertThat(gpu.streamsOpened.get()).as("one stream for the renderer's life").isEqualTo(1);
    assertThat(gpu.waitedFor.get())
        .as("every batch queued was waited for on its own stream before a time was read")
        .isEqualTo(gpu.batches.get());
  }

  /**
   * A device whose batches stay queued on the stream current when they ran until that stream is
   * synchronised. Memory is not modelled (no peaks): only queues.
   */
  private static final class QueueingGpu implements Device {
    private final ThreadLocal<Integer> current = ThreadLocal.withInitial(() -> 0);
    private final Map<Integer, Integer> queued = new HashMap<>();
    private final AtomicInteger batches = new AtomicInteger();
    private final AtomicInteger waitedFor = new AtomicInteger();
    private final AtomicInteger streamsOpened = new AtomicInteger();

    @Override
    public synchronized void beforeBatch(int frames, long pixels) {
      batches.incrementAndGet();
      queued.merge(current.get(), 1, Integer::sum);
    }

    /** The default stream's synchronize: pooled streams are non-blocking, it waits only its own. */
    @Override
    public void synchronize() {
      waitOn(current.get());
    }

    private synchronized void waitOn(int stream) {
      Integer done = queued.remove(stream);
      waitedFor.addAndGet(done == null ? 0 : done);
    }

    @Override
    public TaskStream openTaskStream() {
      int stream = streamsOpened.incrementAndGet();
      return new TaskStream() {
        @Override
        public StreamScope enter() {
          int previous = current.get();
          current.set(stream);
          return () -> current.set(previous);
        }

        @Override
        public void synchronize() {
          waitOn(stream);
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public String id() {
      return "queueing-gpu";
    }

    @Override
    public DeviceKind kind() {
      return DeviceKind.SIMULATED_GPU;
    }

    @Override
    public int index() {
      return 0;
    }

    @Override
    public long totalBytes() {
      return 64 * GIB;
    }

    @Override
    public long freeBytes() {
      return 64 * GIB;
    }

    @Override
    public long allocatedBytes() {
      return 0;
    }

    @Override
    public long reservedBytes() {
      return 0;
    }

    @Override
    public void resetPeak() {}

    @Override
    public long peakAllocatedBytes() {
      return -1;
    }

    @Override
    public void emptyCache() {}
  }
}
