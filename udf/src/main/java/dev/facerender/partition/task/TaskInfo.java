package dev.facerender.partition.task;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;

/** Where a task runs, for metrics and for its device lease. */
public record TaskInfo(
    int partition, int attempt, long taskAttemptId, String executor, String host) {
  public static TaskInfo current() {
    TaskContext context = TaskContext.get();
    SparkEnv env = SparkEnv.get();
    return new TaskInfo(
        context == null ? 0 : context.partitionId(),
        context == null ? 0 : context.attemptNumber(),
        context == null ? Thread.currentThread().getId() : context.taskAttemptId(),
        env == null ? "driver" : env.executorId(),
        hostName());
  }

  /** Partition {@code partition} of a run outside Spark: one attempt, on the driver. */
  public static TaskInfo local(int partition) {
    return new TaskInfo(partition, 0, partition, "driver", hostName());
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }
}
