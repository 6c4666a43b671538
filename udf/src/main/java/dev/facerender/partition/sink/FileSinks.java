package dev.facerender.partition.sink;

import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import dev.facerender.metrics.SampledFrame;
import dev.facerender.metrics.VideoFile;
import dev.facerender.partition.task.TaskInfo;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Sinks that write error, metrics and video rows to files of each task attempt under {@code dir}
 * ({@link TaskRowWriter}) and send the driver one {@link TaskRows} per task. Spark merges a task's
 * accumulator updates only when the attempt succeeds, once per partition of a result stage, so the
 * driver learns exactly the successful attempts' files and ignores those of failed ones: rows stay
 * exactly-once across retries. Progress goes per batch through {@code done}; the report's few
 * sampled frames through {@code samples}.
 */
public final class FileSinks implements RunSinks {
  private static final long serialVersionUID = 1L;

  private final String dir;
  private final Broadcast<SerializableConfiguration> conf;
  private final CollectionAccumulator<TaskRows> tasks;
  private final LongAccumulator done;
  private final FrameSample sample;
  private final CollectionAccumulator<SampledFrame> samples;

  public FileSinks(
      String dir,
      Broadcast<SerializableConfiguration> conf,
      CollectionAccumulator<TaskRows> tasks,
      LongAccumulator done,
      FrameSample sample,
      CollectionAccumulator<SampledFrame> samples) {
    this.dir = dir;
    this.conf = conf;
    this.tasks = tasks;
    this.done = done;
    this.sample = sample;
    this.samples = samples;
  }

  @Override
  public TaskSinks forTask() {
    return new Task(new TaskRowWriter(dir, conf.value().value(), TaskInfo.current()));
  }

  private final class Task implements TaskSinks {
    private final TaskRowWriter writer;

    Task(TaskRowWriter writer) {
      this.writer = writer;
    }

    @Override
    public void error(FrameError error) {
      writer.error(error);
    }

    @Override
    public void metrics(BatchMetrics metrics) {
      writer.metrics(metrics);
    }

    @Override
    public void video(VideoFile video) {
      writer.video(video);
    }

    @Override
    public void progress(long frames) {
      done.add(frames);
    }

    @Override
    public boolean wantsSample(String clipId, int frameIndex) {
      return samples != null && sample.wants(clipId, frameIndex);
    }

    @Override
    public void sample(SampledFrame frame) {
      samples.add(frame);
    }

    @Override
    public void finish() {
      tasks.add(writer.finish());
    }

    @Override
    public void abort() {
      writer.abort();
    }
  }
}
