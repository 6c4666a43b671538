package dev.facerender.job;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** How many tasks one executor runs at once: they share its cores and its GPU. */
public final class SparkTopology {
  private static final Pattern LOCAL =
      Pattern.compile("local(?:-cluster)?\\[([^,\\]]+)(?:,.*)?\\]");

  private SparkTopology() {}

  public static int concurrentTasks(SparkSession spark) {
    SparkConf conf = spark.sparkContext().getConf();
    return concurrentTasks(
        spark.sparkContext().master(),
        conf.get("spark.executor.cores", ""),
        conf.get("spark.task.cpus", "1"),
        Runtime.getRuntime().availableProcessors());
  }

  static int concurrentTasks(String master, String executorCores, String taskCpus, int cores) {
    int perTask = Math.max(1, Integer.parseInt(taskCpus.strip()));
    if (master.equals("local")) {
      return 1;
    }
    Matcher local = LOCAL.matcher(master);
    if (master.startsWith("local[") && local.matches()) {
      String n = local.group(1);
      int slots = n.equals("*") ? cores : Integer.parseInt(n.strip());
      return Math.max(1, slots / perTask);
    }
    int executorSlots = executorCores.isBlank() ? cores : Integer.parseInt(executorCores.strip());
    return Math.max(1, executorSlots / perTask);
  }
}
