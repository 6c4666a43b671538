package dev.facerender.schedule;

import dev.facerender.job.Cancellation;
import dev.facerender.job.DeviceUse;
import dev.facerender.job.RenderRequest;
import dev.facerender.output.query.TableScan;
import dev.facerender.partition.task.RenderSettings;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * What a run needs from whoever runs its tasks, over input of its own type {@code I}: Spark ({@code
 * spark.SparkScheduler}) or render slots in this JVM ({@code local.LocalScheduler}). The run
 * ({@code run.RunFlow}) does all the rest, the same for both, so the choice changes what a run
 * costs and nothing it writes.
 */
public interface Scheduler<I extends RunInput> {
  /** run.json's {@code engine}. */
  String engine();

  /** The summary's {@code master}: Spark's, or the local slots. */
  String master();

  Configuration hadoop();

  /** Where tasks render, and why: run.json's device and its reason. */
  DeviceUse device(Map<String, String> conf);

  /** The settings tasks of run {@code runId} get, with this scheduler's slots. */
  RenderSettings settings(String runId, Map<String, String> conf);

  /** Ships and checks the models before any task ({@link ModelFiles#preflight}). */
  RenderSettings preflight(RenderSettings settings, Map<String, String> conf);

  /** The request's input tables, checked. */
  I input(RenderRequest request);

  /** The run's tasks, as {@code plan} says; closed when the run ends. */
  WaveTasks tasks(WaveTasks.Plan<I> plan, Cancellation cancel);

  /** How the run's tables are read back: the fold every question about them is written over. */
  TableScan tables();
}
