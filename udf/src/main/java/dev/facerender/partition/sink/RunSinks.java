package dev.facerender.partition.sink;

import java.io.Serializable;

/**
 * Where a run's tasks report what is not a frame row: each task attempt gets sinks of its own, so
 * only the rows of attempts that finished reach the run. Serializable: Spark ships it with the
 * partition function.
 */
@FunctionalInterface
public interface RunSinks extends Serializable {
  /** The sinks one task attempt reports to; {@link TaskSinks#finish} or {@code abort} ends them. */
  TaskSinks forTask();
}
