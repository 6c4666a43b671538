package dev.facerender.diagnostics;

import dev.facerender.codec.RgbImage;
import dev.facerender.device.Device;
import dev.facerender.model.FrameModel;
import dev.facerender.model.Torch;
import dev.facerender.partition.RenderPartitionFunction;
import dev.facerender.partition.emit.FrameEncoder;
import dev.facerender.partition.faults.BatchFaults;
import dev.facerender.partition.frame.ClipSource;
import dev.facerender.partition.frame.PendingFrame;
import dev.facerender.partition.render.BatchRenderer;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.runtime.DeviceState;
import dev.facerender.runtime.ExecutorRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.resource.ResourceInformation;

/**
 * Speeds measured apart from a job: rendering alone and encoding alone, the yardsticks end-to-end
 * runs are compared against, and the driving coefficients such probes feed a model.
 */
public final class ThroughputProbe {
  private ThroughputProbe() {}

  /** Frames per second of one measurement: how many frames, on how many threads, how long. */
  public record Throughput(int batch, int threads, long frames, double seconds) {
    public double framesPerSecond() {
      return frames / Math.max(1e-9, seconds);
    }
  }

  /**
   * The device's render-only speed at {@code batch}: {@code threads} threads (the job's task slots)
   * render batches back to back, model and tensor conversion only, no Spark, no I/O, no encoding.
   * The yardstick end-to-end runs are compared against.
   */
  public static Throughput renderOnly(
      RenderSettings settings,
      RgbImage sample,
      Map<String, ResourceInformation> resources,
      int batch,
      int threads,
      int batchesPerThread)
      throws InterruptedException {
    Torch.configureThreads(settings.effectiveTorchThreads());
    DeviceState state =
        ExecutorRuntime.ofThisJvm().on(RenderPartitionFunction.taskDevice(settings, resources));
    Device device = state.device();
    int coeffCount = settings.network().coeffCount() > 0 ? settings.network().coeffCount() : 70;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (LoadedNetwork network = LoadedNetwork.onto(settings, device)) {
      FrameModel model = network.model();
      BatchRenderer renderer =
          new BatchRenderer(model, network.enhancer(), state, settings, BatchFaults.NONE);
      List<ClipSource> sources = new ArrayList<>();
      List<Callable<Void>> work = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        // One source per thread: a clip's cached model input belongs to one render thread.
        ClipSource source =
            new ClipSource(
                "bench-" + t, sample, model.takesSourceCoeffs() ? new float[coeffCount] : null);
        sources.add(source);
        PendingFrame frame =
            new PendingFrame(
                source.clipId(),
                0,
                motion(coeffCount * settings.network().windowWidth(), t),
                source);
        renderer.calibrationRun(frame, batch);
        work.add(
            () -> {
              for (int i = 0; i < batchesPerThread; i++) {
                renderer.calibrationRun(frame, batch);
              }
              return null;
            });
      }
      long start = System.nanoTime();
      for (Future<Void> done : pool.invokeAll(work)) {
        try {
          done.get();
        } catch (ExecutionException e) {
          throw new IllegalStateException("render-only run failed: " + e.getCause(), e.getCause());
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      sources.forEach(ClipSource::release);
      // Every run finished (invokeAll returned): nothing uses the stream any more.
      renderer.close();
      return new Throughput(batch, threads, (long) threads * batchesPerThread * batch, seconds);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Frames per second one thread encodes in the output format (the CPU cost per frame). */
  public static Throughput encodeOnly(RenderSettings settings, RgbImage sample, int frames) {
    FrameEncoder encoder = FrameEncoder.of(settings);
    byte[] pixels = sample.bgr();
    encoder.encode(pixels, sample.width(), sample.height());
    long start = System.nanoTime();
    for (int i = 0; i < frames; i++) {
      encoder.encode(pixels, sample.width(), sample.height());
    }
    return new Throughput(1, 1, frames, (System.nanoTime() - start) / 1e9);
  }

  /** Small, varied coefficients: a head in motion rather than a still face. */
  static float[] motion(int n, long seed) {
    java.util.Random random = new java.util.Random(seed);
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) (random.nextGaussian() * 0.1);
    }
    return values;
  }
}
