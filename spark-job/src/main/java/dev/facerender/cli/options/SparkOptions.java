package dev.facerender.cli.options;

import dev.facerender.config.ConfigKey;
import dev.facerender.device.DeviceChoice;
import dev.facerender.job.Master;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The Spark options every Spark-running command takes. */
public final class SparkOptions {
  @Option(names = "--master", description = "Spark master (default: local[*])")
  public String master;

  @Option(names = "--conf", description = "Spark or spark.facerender.* setting KEY=VALUE")
  public Map<String, String> conf = new LinkedHashMap<>();

  /**
   * The master asked for: --master, else spark-submit's (a system property), else null (local[*]).
   */
  public String master() {
    return master != null ? master : System.getProperty("spark.master");
  }

  /**
   * Spark's own settings given to this command (--conf, or spark-submit's system properties),
   * {@code spark.facerender.*} and the master aside: what only a Spark session would honour.
   */
  public List<String> sparkSettings() {
    List<String> keys = new ArrayList<>();
    for (String key : conf.keySet()) {
      if (!key.startsWith(ConfigKey.PREFIX)) {
        keys.add(key);
      }
    }
    for (String key : System.getProperties().stringPropertyNames()) {
      if (key.startsWith("spark.")
          && !key.startsWith(ConfigKey.PREFIX)
          && !key.equals("spark.master")) {
        keys.add(key);
      }
    }
    return keys;
  }

  public SparkSession start() {
    return Sessions.create(master, conf);
  }

  /** A session whose local tasks render on the GPUs {@code device} chose (null: none). */
  public SparkSession start(DeviceChoice device) {
    return Sessions.create(master, conf, device);
  }

  /**
   * Where a run of this command on this machine renders ({@code settings}: its {@code
   * spark.facerender.*} values); null on a cluster master, where Spark assigns each task's device.
   */
  public DeviceChoice device(Map<String, String> settings) {
    String chosen = master();
    boolean local = chosen == null || Master.of(chosen).local();
    return local ? DeviceChoice.of(settings) : null;
  }

  /**
   * The {@code spark.facerender.*} settings of {@code command}, later sources winning: Spark's own
   * configuration (spark-submit's --conf and --properties-file and spark-defaults.conf reach the
   * driver as system properties), then this command's --conf entries, then its flags.
   */
  public Map<String, String> settings(CommandSpec command) {
    Map<String, String> merged = new LinkedHashMap<>();
    // What SparkConf would read (system properties), without starting Spark's classes to read it.
    for (String key : System.getProperties().stringPropertyNames()) {
      if (key.startsWith(ConfigKey.PREFIX)) {
        merged.put(key, System.getProperty(key));
      }
    }
    merged.putAll(conf);
    return ConfigOptions.values(command, merged);
  }
}
