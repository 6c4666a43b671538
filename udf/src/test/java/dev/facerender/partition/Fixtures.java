package dev.facerender.partition;

import dev.facerender.codec.ImageCodec;
import dev.facerender.codec.RgbImage;
import dev.facerender.device.Device;
import dev.facerender.device.DeviceKind;
import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import dev.facerender.model.BuiltinModels;
import dev.facerender.model.FrameModel;
import dev.facerender.model.Models;
import dev.facerender.partition.faults.BatchFaults;
import dev.facerender.partition.sink.TaskSinks;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.partition.task.TaskInfo;
import dev.facerender.retry.OutOfMemoryErrors;
import dev.facerender.runtime.DeviceState;
import dev.facerender.runtime.ExecutorRuntime;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Input rows, settings, a stand-in GPU, collecting sinks and waits for executor tests without
 * Spark; public for the tests of the executor's sub-packages.
 */
public final class Fixtures {
  private static final AtomicLong TASK_IDS = new AtomicLong(1_000_000);

  /**
   * The executor these tests' tasks run in: tasks given one device share its state (lock, peaks,
   * leases, calibrations), as in an executor JVM; a new device instance starts with nothing.
   */
  private static final ExecutorRuntime EXECUTOR = new ExecutorRuntime();

  private Fixtures() {}

  /** The state tasks on {@code device} share in this test JVM's executor. */
  public static DeviceState on(Device device) {
    return EXECUTOR.on(device);
  }

  /** Settings from {@code spark.facerender.*} short names ({@code batchSize -> 4}). */
  public static RenderSettings settings(String... namesAndValues) {
    Map<String, String> conf = new HashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      conf.put("spark.facerender." + namesAndValues[i], namesAndValues[i + 1]);
    }
    return RenderSettings.from("test-run", conf, 1);
  }

  /** Settings for one of {@code concurrent} tasks of an executor, {@code perDevice} per device. */
  public static RenderSettings shared(int concurrent, int perDevice, String... namesAndValues) {
    Map<String, String> conf = new HashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      conf.put("spark.facerender." + namesAndValues[i], namesAndValues[i + 1]);
    }
    return RenderSettings.from("test-run", conf, concurrent, perDevice);
  }

  public static TaskInfo task() {
    return new TaskInfo(0, 0, TASK_IDS.incrementAndGet(), "test-executor", "localhost");
  }

  /** A face-like test image: a light oval on a dark background, eyes and a mouth. */
  public static BufferedImage face(int size) {
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = image.createGraphics();
    g.setColor(new Color(30, 40, 60));
    g.fillRect(0, 0, size, size);
    g.setColor(new Color(220, 180, 150));
    g.fillOval(size / 6, size / 8, size * 2 / 3, size * 3 / 4);
    g.setColor(Color.BLACK);
    g.fillOval(size / 3, size / 3, size / 12, size / 16);
    g.fillOval(size * 7 / 12, size / 3, size / 12, size / 16);
    g.fillRect(size * 5 / 12, size * 2 / 3, size / 6, size / 24);
    g.dispose();
    return image;
  }

  public static RgbImage rgb(int size) {
    return ImageCodec.toBgr(face(size));
  }

  public static Row source(String clip, int size) {
    return RowFactory.create(true, clip, null, null, ImageCodec.encodePng(face(size), 1));
  }

  public static Row frame(String clip, int index, float[] coeffs) {
    List<Float> values = new ArrayList<>();
    for (float c : coeffs) {
      values.add(c);
    }
    // Spark rows hold arrays as Scala sequences.
    return RowFactory.create(
        false, clip, index, scala.jdk.javaapi.CollectionConverters.asScala(values).toSeq(), null);
  }

  /**
   * {@code frames} frames of a clip of {@code size} px, its source first; coefficient 0 = value.
   */
  public static List<Row> clip(String clip, int size, int frames, float value) {
    List<Row> rows = new ArrayList<>();
    rows.add(source(clip, size));
    for (int i = 0; i < frames; i++) {
      float[] coeffs = new float[70];
      coeffs[0] = value;
      rows.add(frame(clip, i, coeffs));
    }
    return rows;
  }

  /**
   * Streams {@code rows} through a {@link PartitionRenderer} with a fresh builtin:warp on {@code
   * device}, every batch meeting {@code faults}; returns how many frame rows came out. The renderer
   * is closed whether or not the task fails.
   */
  public static int renderWithWarp(
      List<Row> rows, RenderSettings settings, Sinks sinks, Device device, BatchFaults faults) {
    int[] out = {0};
    renderWithWarp(rows, settings, sinks, device, faults, row -> out[0]++);
    return out[0];
  }

  /** As above, each frame row to {@code out}. */
  public static void renderWithWarp(
      List<Row> rows,
      RenderSettings settings,
      Sinks sinks,
      Device device,
      BatchFaults faults,
      java.util.function.Consumer<Row> out) {
    try (FrameModel warp = Models.load(BuiltinModels.WARP)) {
      PartitionRenderer renderer =
          new PartitionRenderer(
              rows.iterator(),
              settings,
              sinks,
              task(),
              on(device),
              warp,
              null,
              faults,
              -1,
              null,
              null);
      try {
        while (renderer.hasNext()) {
          out.accept(renderer.next());
        }
      } finally {
        // As Spark's task completion listener does: a failed task's render thread ends with it
        // instead of outliving it into the next test of this JVM.
        renderer.close();
      }
    }
  }

  /** Waits for {@code latch} as a native kernel would: an interrupt does not stop the wait. */
  public static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        if (!latch.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("latch never opened");
        }
        break;
      } catch (InterruptedException e) {
        interrupted = true; // like a native kernel: an interrupt does not stop it
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits up to 30 s for {@code condition}, failing the test past that. */
  public static void waitFor(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached in 30 s");
      }
      Thread.sleep(5);
    }
  }

  /** Whether a live thread of this JVM is named {@code name}. */
  public static boolean threadNamed(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals(name) && t.isAlive());
  }

  /** What a task reported besides frame rows. */
  public static final class Sinks implements TaskSinks {
    public final List<FrameError> errors =
        java.util.Collections.synchronizedList(new ArrayList<>());
    public final List<BatchMetrics> metrics =
        java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public void error(FrameError error) {
      errors.add(error);
    }

    @Override
    public void metrics(BatchMetrics batch) {
      metrics.add(batch);
    }
  }

  /**
   * A GPU stand-in for what the CPU cannot show: a fixed amount of free memory, a peak that grows
   * linearly with the batch's pixels and a modelled time per batch, so calibration and sizing are
   * deterministic. Tensors live on the CPU.
   */
  public static final class PlannedDevice implements Device {
    private final String id;
    private final long freeBytes;
    private final long fixedBytes;
    private final long bytesPerPixel;
    private final AtomicLong peak = new AtomicLong(-1);

    public PlannedDevice(String id, long freeBytes, long fixedBytes, long bytesPerPixel) {
      this.id = id;
      this.freeBytes = freeBytes;
      this.fixedBytes = fixedBytes;
      this.bytesPerPixel = bytesPerPixel;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public DeviceKind kind() {
      return DeviceKind.CPU;
    }

    @Override
    public int index() {
      return -1;
    }

    @Override
    public long totalBytes() {
      return freeBytes;
    }

    @Override
    public long freeBytes() {
      return freeBytes;
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
    public void resetPeak() {
      peak.set(0);
    }

    @Override
    public long peakAllocatedBytes() {
      return peak.get();
    }

    @Override
    public void emptyCache() {}

    @Override
    public void beforeBatch(int frames, long pixels) {
      long need = fixedBytes + frames * pixels * bytesPerPixel;
      if (need > freeBytes) {
        throw new RuntimeException(OutOfMemoryErrors.cudaMessage(need, 0, freeBytes, freeBytes));
      }
      peak.accumulateAndGet(need, Math::max);
    }

    @Override
    public boolean modelsTime() {
      return true;
    }

    /** One millisecond per batch whatever its size: bigger batches are always faster. */
    @Override
    public long batchNanos(int frames, long pixels, long measuredNanos) {
      return 1_000_000;
    }
  }
}
