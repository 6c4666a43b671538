package dev.facerender.partition;

import static java.util.Objects.requireNonNull;

import dev.facerender.device.Device;
import dev.facerender.device.DriverGpus;
import dev.facerender.model.FrameEnhancer;
import dev.facerender.model.FrameModel;
import dev.facerender.partition.emit.EncoderPool;
import dev.facerender.partition.faults.BatchFaults;
import dev.facerender.partition.sink.RunSinks;
import dev.facerender.partition.sink.TaskSinks;
import dev.facerender.partition.task.FrameRows;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.partition.task.TaskInfo;
import dev.facerender.partition.video.ClipVideos;
import dev.facerender.runtime.ExecutorRuntime;
import dev.facerender.video.VideoOutput;
import java.util.Iterator;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.Row;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The executor side of a render: rows of {@link FrameRows#INPUT} in, rows of {@link
 * FrameRows#OUTPUT} out. Finds the task's device, takes the executor's cached model for it and
 * streams the partition through {@link PartitionRenderer}.
 */
public final class RenderPartitionFunction implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final RenderSettings settings;
  private final RunSinks sinks;
  private final VideoOutput videos;
  private final DriverGpus driverGpus;

  /** The frames of the job (of its wave), -1 unknown: what calibration can be repaid from. */
  private final long jobFrames;

  // Only in the JVM that made it (the local engine): executors encode on the task thread.
  private final transient EncoderPool encoderPool;

  public RenderPartitionFunction(RenderSettings settings, RunSinks sinks) {
    this(settings, sinks, null, DriverGpus.NONE);
  }

  /**
   * For the local engine: tasks share their frames' encoding with {@code encoderPool} (null: none)
   * and stage clips' MP4s in {@code videos} (null: no video).
   */
  public RenderPartitionFunction(
      RenderSettings settings, RunSinks sinks, VideoOutput videos, EncoderPool encoderPool) {
    this(settings, sinks, videos, DriverGpus.NONE, encoderPool);
  }

  /**
   * With {@code videos}, where clips' MP4s are staged (required when settings ask for video); tasks
   * Spark gave no GPU take one of {@code driverGpus} (local mode).
   */
  public RenderPartitionFunction(
      RenderSettings settings, RunSinks sinks, VideoOutput videos, DriverGpus driverGpus) {
    this(settings, sinks, videos, driverGpus, null);
  }

  private RenderPartitionFunction(
      RenderSettings settings,
      RunSinks sinks,
      VideoOutput videos,
      DriverGpus driverGpus,
      EncoderPool encoderPool) {
    this(settings, sinks, videos, driverGpus, encoderPool, -1);
  }

  private RenderPartitionFunction(
      RenderSettings settings,
      RunSinks sinks,
      VideoOutput videos,
      DriverGpus driverGpus,
      EncoderPool encoderPool,
      long jobFrames) {
    this.jobFrames = jobFrames;
    this.encoderPool = encoderPool;
    this.settings = requireNonNull(settings, "settings is null");
    this.sinks = requireNonNull(sinks, "sinks is null");
    this.driverGpus = requireNonNull(driverGpus, "driverGpus is null");
    if (settings.output().hasVideo() && videos == null) {
      throw new IllegalArgumentException("settings ask for video but no video output is given");
    }
    this.videos = videos;
  }

  /**
   * This function for a job (or wave) of {@code frames} frames: calibration is bounded by what so
   * many frames can repay.
   */
  public RenderPartitionFunction forJobOf(long frames) {
    return new RenderPartitionFunction(settings, sinks, videos, driverGpus, encoderPool, frames);
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    TaskContext context = TaskContext.get();
    Map<String, ResourceInformation> resources =
        context == null
            ? Map.of()
            : driverGpus.forTask(context.resourcesJMap(), context.partitionId());
    PartitionRows partition = open(rows, TaskInfo.current(), resources);
    if (context != null) {
      // A failed or killed task still frees its clips' tensors, its device lease and its video
      // encoder, and deletes its unfinished local video file.
      context.addTaskCompletionListener((TaskCompletionListener) done -> partition.close());
    }
    return partition;
  }

  /**
   * Renders partition {@code partition} outside Spark (the local engine): the caller reads the rows
   * on one thread and closes them when done or abandoned, which frees what the renderer holds and
   * aborts the sinks unless the last row was taken.
   */
  public PartitionRows renderLocally(Iterator<Row> rows, int partition) {
    return renderLocally(rows, partition, Map.of());
  }

  /** As above, on the device {@code resources} name (Spark's form; empty: the CPU). */
  public PartitionRows renderLocally(
      Iterator<Row> rows, int partition, Map<String, ResourceInformation> resources) {
    return open(rows, TaskInfo.local(partition), resources);
  }

  private PartitionRows open(
      Iterator<Row> rows, TaskInfo info, Map<String, ResourceInformation> resources) {
    ExecutorRuntime runtime = ExecutorRuntime.ofThisJvm();
    Device device = taskDevice(settings, resources);
    FrameModel model =
        runtime.models().get(settings.network().model(), settings.network().torch(), device);
    FrameEnhancer enhancer =
        settings.network().hasEnhancer()
            ? runtime.models().enhancer(settings.network().enhancer(), device)
            : null;
    TaskSinks task = sinks.forTask();
    PartitionRenderer renderer =
        new PartitionRenderer(
            rows,
            settings,
            task,
            info,
            runtime.on(device),
            model,
            enhancer,
            BatchFaults.injected(settings, info.partition(), device),
            jobFrames,
            settings.output().hasVideo() ? new ClipVideos(settings, videos, task, info) : null,
            encoderPool);
    return new PartitionRows(renderer, task);
  }

  /**
   * The device a task of {@code settings} given {@code resources} (Spark's form; empty: the CPU)
   * renders on: the one this JVM's tasks share.
   */
  public static Device taskDevice(
      RenderSettings settings, Map<String, ResourceInformation> resources) {
    return ExecutorRuntime.ofThisJvm()
        .devices()
        .forTask(
            settings.sizing().simulateGpuBytes(),
            settings.sizing().cpuMemoryFraction(),
            settings.sizing().cpuMemoryBytes(),
            resources);
  }

  /**
   * A partition's output rows. Ends the task's sinks when the last row has been taken, inside the
   * task and so before its output commits; closing before that aborts them.
   */
  public static final class PartitionRows implements Iterator<Row>, AutoCloseable {
    private final PartitionRenderer rows;
    private final TaskSinks sinks;
    private boolean finished;

    PartitionRows(PartitionRenderer rows, TaskSinks sinks) {
      this.rows = rows;
      this.sinks = sinks;
    }

    @Override
    public boolean hasNext() {
      if (finished) {
        return false;
      }
      if (rows.hasNext()) {
        return true;
      }
      finished = true;
      sinks.finish();
      return false;
    }

    @Override
    public Row next() {
      return rows.next();
    }

    /** Frees what the renderer holds; aborts the sinks unless the last row was taken. */
    @Override
    public void close() {
      try {
        rows.close();
      } finally {
        if (!finished) {
          sinks.abort();
        }
      }
    }
  }
}
