package dev.facerender.schedule.local;

import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import dev.facerender.metrics.SampledFrame;
import dev.facerender.metrics.VideoFile;
import dev.facerender.partition.sink.FrameSample;
import dev.facerender.partition.sink.RunSinks;
import dev.facerender.partition.sink.TaskSinks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the local engine's tasks report besides frames, kept per task and handed over only when the
 * task finished, as Spark keeps only successful attempts' rows. Read once the render ended.
 */
public final class LocalTaskSinks implements RunSinks {
  private static final long serialVersionUID = 1L;

  private final AtomicLong done;
  private final FrameSample sample;
  private final List<FrameError> errors = new ArrayList<>();
  private final List<BatchMetrics> metrics = new ArrayList<>();
  private final List<SampledFrame> samples = new ArrayList<>();
  private final List<VideoFile> videos = new ArrayList<>();

  LocalTaskSinks(AtomicLong done, FrameSample sample) {
    this.done = done;
    this.sample = sample;
  }

  List<FrameError> errors() {
    return errors;
  }

  List<BatchMetrics> metrics() {
    return metrics;
  }

  List<SampledFrame> samples() {
    return samples;
  }

  List<VideoFile> videos() {
    return videos;
  }

  Map<String, Long> errorCodes() {
    Map<String, Long> codes = new TreeMap<>();
    errors.forEach(e -> codes.merge(e.code(), 1L, Long::sum));
    return codes;
  }

  @Override
  public TaskSinks forTask() {
    return new TaskSinks() {
      private final List<FrameError> taskErrors = new ArrayList<>();
      private final List<BatchMetrics> taskMetrics = new ArrayList<>();
      private final List<SampledFrame> taskSamples = new ArrayList<>();
      private final List<VideoFile> taskVideos = new ArrayList<>();

      @Override
      public void error(FrameError error) {
        taskErrors.add(error);
      }

      @Override
      public void metrics(BatchMetrics batch) {
        taskMetrics.add(batch);
      }

      @Override
      public void video(VideoFile video) {
        taskVideos.add(video);
      }

      @Override
      public void progress(long frames) {
        done.addAndGet(frames);
      }

      @Override
      public boolean wantsSample(String clipId, int frameIndex) {
        return sample.wants(clipId, frameIndex);
      }

      @Override
      public void sample(SampledFrame frame) {
        taskSamples.add(frame);
      }

      @Override
      public void finish() {
        synchronized (LocalTaskSinks.this) {
          errors.addAll(taskErrors);
          metrics.addAll(taskMetrics);
          samples.addAll(taskSamples);
          videos.addAll(taskVideos);
        }
      }
    };
  }
}
