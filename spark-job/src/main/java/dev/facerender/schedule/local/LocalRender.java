package dev.facerender.schedule.local;

import dev.facerender.concurrent.Futures;
import dev.facerender.config.OutputFormat;
import dev.facerender.device.DeviceChoice;
import dev.facerender.io.ParquetRowWriter;
import dev.facerender.job.Cancellation;
import dev.facerender.job.RunFailedException;
import dev.facerender.partition.RenderPartitionFunction;
import dev.facerender.partition.RenderPartitionFunction.PartitionRows;
import dev.facerender.partition.emit.EncoderPool;
import dev.facerender.partition.sink.FrameSample;
import dev.facerender.partition.task.FrameRows;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.video.VideoOutput;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.Row;

/**
 * The local engine's render: each partition streams through the executor's own partition function
 * ({@link RenderPartitionFunction#renderLocally}) on one of {@code threads} threads, as Spark's
 * local mode runs tasks, and its frames go to a Parquet file of its own. Each thread owns its
 * partition's renderer and closes it (freeing its tensors) before taking the next partition; a
 * failed partition stops the others. Error and metrics rows are kept per partition and handed over
 * only when the partition finished.
 */
public final class LocalRender {
  private static final long FRAME_ROW_GROUP_BYTES = 16L << 20;
  private static final long STOP_WAIT_SECONDS = 30;

  private final LocalTaskSinks sinks;
  private final RenderPartitionFunction function;
  private final RenderSettings settings;
  private final EncoderPool encoderPool;

  /**
   * With {@code encoderPool} (null: none) sharing the tasks' encoding, closed by {@link #run};
   * clips' MP4s staged in {@code videos} (null: no video).
   */
  LocalRender(
      RenderSettings settings,
      FrameSample sample,
      AtomicLong done,
      VideoOutput videos,
      EncoderPool encoderPool) {
    this.settings = settings;
    this.sinks = new LocalTaskSinks(done, sample);
    this.encoderPool = encoderPool;
    this.function = new RenderPartitionFunction(settings, sinks, videos, encoderPool);
  }

  /**
   * Renders {@code partitions} (each sorted as tasks get them) into {@code framesDir}, one file per
   * partition named with {@code tag}, on {@code threads} render slots: slot {@code i} renders every
   * partition it takes on {@code device}'s GPU {@code i mod n} (on a GPU, {@code threads} is the
   * GPUs times the slots per GPU), or on the CPU. Throws the first partition's failure.
   */
  void run(
      List<List<Row>> partitions,
      int threads,
      DeviceChoice device,
      String framesDir,
      String tag,
      Configuration conf,
      Cancellation cancel) {
    long frames =
        partitions.stream()
            .mapToLong(p -> p.stream().filter(row -> !row.getBoolean(FrameRows.IS_SOURCE)).count())
            .sum();
    RenderPartitionFunction job = function.forJobOf(frames);
    AtomicInteger started = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            task -> {
              Thread thread = new Thread(task, "facerender-local-" + started.getAndIncrement());
              thread.setDaemon(true);
              return thread;
            });
    cancel.onCancel(pool::shutdownNow);
    List<Integer> order = new ArrayList<>();
    for (int p = 0; p < partitions.size(); p++) {
      order.add(p);
    }
    // Largest first, so the last partitions to start are short ones and no slot idles long.
    order.sort(Comparator.comparingInt((Integer p) -> -partitions.get(p).size()));
    Queue<Integer> queue = new ConcurrentLinkedQueue<>(order);
    CompletionService<Void> slots = new ExecutorCompletionService<>(pool);
    int slotCount = Math.min(threads, partitions.size());
    for (int slot = 0; slot < slotCount; slot++) {
      Map<String, ResourceInformation> resources = device.resourcesForSlot(slot);
      slots.submit(
          () -> {
            for (Integer p = queue.poll(); p != null; p = queue.poll()) {
              if (Thread.currentThread().isInterrupted()) {
                throw new RunFailedException("The run was cancelled.");
              }
              String file = String.format("%s/part-%05d-%s.parquet", framesDir, p, tag);
              render(job, partitions.get(p), p, file, conf, resources);
            }
            return null;
          });
    }
    try {
      // The first slot to fail stops the others at once.
      for (int i = 0; i < slotCount; i++) {
        slots.take().get();
      }
    } catch (ExecutionException e) {
      pool.shutdownNow();
      throw Futures.unwrapped(e);
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
      throw new RunFailedException("The run was interrupted.");
    } finally {
      pool.shutdown();
      awaitStop(pool);
      if (encoderPool != null) {
        encoderPool.close();
      }
    }
    cancel.check();
  }

  private void render(
      RenderPartitionFunction job,
      List<Row> rows,
      int partition,
      String file,
      Configuration conf,
      Map<String, ResourceInformation> resources) {
    boolean compressed = settings.output().format() == OutputFormat.RAW;
    try (PartitionRows out = job.renderLocally(rows.iterator(), partition, resources);
        ParquetRowWriter writer =
            new ParquetRowWriter(file, FrameRows.OUTPUT, conf, compressed, FRAME_ROW_GROUP_BYTES)) {
      while (out.hasNext()) {
        if (Thread.currentThread().isInterrupted()) {
          throw new RunFailedException("The run was cancelled.");
        }
        writer.write(out.next());
      }
    }
  }

  /** Threads close their renderers on the way out: native memory is freed before the run ends. */
  private static void awaitStop(ExecutorService pool) {
    try {
      pool.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What the finished partitions reported besides frames. */
  LocalTaskSinks reported() {
    return sinks;
  }
}
