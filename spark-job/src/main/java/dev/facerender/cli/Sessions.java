package dev.facerender.cli;

import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** Spark sessions for the CLI: local[*] unless spark-submit or --master says otherwise. */
final class Sessions {
  static final String HEARTBEAT = "spark.executor.heartbeatInterval";

  private Sessions() {}

  static SparkSession create(String master, Map<String, String> conf) {
    SparkSession.Builder builder = SparkSession.builder().appName("facerender");
    String chosen = master;
    if (chosen == null && System.getProperty("spark.master") == null) {
      chosen = "local[*]";
    }
    if (chosen != null) {
      builder.master(chosen);
    }
    if (chosen != null && chosen.startsWith("local")) {
      builder.config("spark.ui.enabled", "false");
    }
    if (!conf.containsKey(HEARTBEAT) && System.getProperty(HEARTBEAT) == null) {
      // Running tasks' frame counts reach the progress bar with heartbeats; Spark's 10 s default
      // makes the bar jump. A heartbeat is one small message per executor.
      builder.config(HEARTBEAT, "2s");
    }
    conf.forEach(
        (k, v) -> {
          if (k.startsWith("spark.") && !k.startsWith("spark.facerender.")) {
            builder.config(k, v);
          }
        });
    return builder.getOrCreate();
  }
}
