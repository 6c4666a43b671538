package dev.facerender.partition;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;

/** Where a task runs, for metrics and for its device lease. */
record TaskInfo(int partition, int attempt, long taskAttemptId, String executor, String host) {
  static TaskInfo current() {
    TaskContext context = TaskContext.get();
    SparkEnv env = SparkEnv.get();
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown";
    }
    return new TaskInfo(
        context == null ? 0 : context.partitionId(),
        context == null ? 0 : context.attemptNumber(),
        context == null ? Thread.currentThread().getId() : context.taskAttemptId(),
        env == null ? "driver" : env.executorId(),
        host);
  }
}
