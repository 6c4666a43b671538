package dev.facerender.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.model.FrameModel;
import dev.facerender.partition.faults.BatchFaults;
import dev.facerender.partition.task.RenderSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.Row;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** A task stopped mid-render frees nothing a running batch uses, and leaks nothing either. */
class PartitionLifetimeTest {
  /**
   * A model whose batches with coefficient 0 at 1 block inside forward until the test lets them go,
   * like a long CUDA kernel; it keeps every tensor encode_source made and counts uses of one
   * already freed.
   */
  static final class BlockingModel implements FrameModel {
    final CountDownLatch inside = new CountDownLatch(1);
    final CountDownLatch proceed = new CountDownLatch(1);
    final List<Tensor> encoded = new CopyOnWriteArrayList<>();
    final AtomicInteger blockedCalls = new AtomicInteger();
    final AtomicInteger usedFreed = new AtomicInteger();

    @Override
    public String spec() {
      return "test:blocking";
    }

    @Override
    public Tensor forward(Tensor source, Tensor coeffs, Tensor sourceCoeffs) {
      Tensor clipInput = encoded.get(encoded.size() - 1);
      if (coeffs.max().item_float() >= 1f) {
        blockedCalls.incrementAndGet();
        inside.countDown();
        Fixtures.awaitUninterruptibly(proceed);
      }
      if (clipInput.isNull()) {
        usedFreed.incrementAndGet();
      }
      return source.contiguous().clone();
    }

    @Override
    public boolean takesSourceCoeffs() {
      return false;
    }

    @Override
    public boolean hasEncodeSource() {
      return true;
    }

    @Override
    public Tensor encodeSource(Tensor source) {
      Tensor encoded = source.clone();
      this.encoded.add(encoded);
      return encoded;
    }

    @Override
    public long parameterCount() {
      return 0;
    }

    @Override
    public void close() {}
  }

  @Test
  void aTaskInterruptedMidRenderFreesItsClipsAndLeaseOnlyAfterTheBatchEnds() throws Exception {
    BlockingModel model = new BlockingModel();
    Fixtures.PlannedDevice device = new Fixtures.PlannedDevice("lifetime-gpu", 1L << 30, 0, 1);
    List<Row> rows = new ArrayList<>(Fixtures.clip("a", 32, 8, 0f));
    rows.addAll(Fixtures.clip("b", 32, 8, 1f));
    RenderSettings settings = Fixtures.settings("maxBatch", "4", "pipelineDepth", "2");
    PartitionRenderer renderer =
        new PartitionRenderer(
            rows.iterator(),
            settings,
            new Fixtures.Sinks(),
            Fixtures.task(),
            Fixtures.on(device),
            model,
            null,
            BatchFaults.NONE,
            -1,
            null,
            null);
    AtomicReference<Throwable> taskFailure = new AtomicReference<>();
    Thread task =
        new Thread(
            () -> {
              try {
                while (renderer.hasNext()) {
                  renderer.next();
                }
              } catch (RuntimeException e) {
                taskFailure.set(e);
              } finally {
                renderer.close(); // as Spark's task completion listener does
              }
            },
            "test-task");
    task.start();
    assertThat(model.inside.await(60, TimeUnit.SECONDS))
        .as("a batch of clip b started; task failure: %s", taskFailure)
        .isTrue();
    assertThat(Fixtures.on(device).budget().heldByOthers(-1))
        .as("lease while rendering")
        .isPositive();

    task.interrupt(); // a killed task: Spark interrupts the task thread
    task.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(task.isAlive()).isFalse();
    assertThat(taskFailure.get()).hasMessageContaining("interrupted");

    // The task is gone, its batch is not: nothing it uses may be freed yet.
    Tensor clipB = model.encoded.get(model.encoded.size() - 1);
    assertThat(clipB.isNull()).as("clip b's input while its batch runs").isFalse();
    assertThat(Fixtures.on(device).budget().heldByOthers(-1)).isPositive();
    assertThat(renderer.isTerminated()).isFalse();

    model.proceed.countDown();
    Fixtures.waitFor(renderer::isTerminated);
    assertThat(model.usedFreed.get()).as("uses of a freed clip input").isZero();
    assertThat(model.blockedCalls.get()).as("clip b's queued batch was dropped, not run").isOne();
    assertThat(model.encoded)
        .as("encode_source once per clip, and every clip input freed")
        .hasSize(2)
        .allSatisfy(t -> assertThat(t.isNull()).isTrue());
    assertThat(Fixtures.on(device).budget().heldByOthers(-1)).as("lease after the batch").isZero();
    Fixtures.waitFor(() -> !Fixtures.threadNamed("facerender-render-0"));
  }
}
