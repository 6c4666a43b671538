package dev.facerender.partition.task;

import java.io.Serializable;

/**
 * Where a task runs among others: {@code concurrentTasks} tasks of one executor run at once (they
 * share its cores and heap); {@code tasksPerDevice} of them share one device (all of them on a CPU;
 * {@code 1 / spark.task.resource.gpu.amount} on a GPU), the figure a task's fair share of device
 * memory follows.
 */
public record TaskSlots(int concurrentTasks, int tasksPerDevice) implements Serializable {
  public TaskSlots {
    if (concurrentTasks < 1) {
      throw new IllegalArgumentException("concurrentTasks must be >= 1, got " + concurrentTasks);
    }
    if (tasksPerDevice < 1 || tasksPerDevice > concurrentTasks) {
      throw new IllegalArgumentException(
          "tasksPerDevice must be in 1.." + concurrentTasks + ", got " + tasksPerDevice);
    }
  }
}
