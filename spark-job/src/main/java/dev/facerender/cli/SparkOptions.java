package dev.facerender.cli;

import dev.facerender.config.ConfigKey;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import scala.Tuple2;

/** The Spark options every Spark-running command takes. */
final class SparkOptions {
  @Option(names = "--master", description = "Spark master (default: local[*])")
  String master;

  @Option(names = "--conf", description = "Spark or spark.facerender.* setting KEY=VALUE")
  Map<String, String> conf = new LinkedHashMap<>();

  SparkSession start() {
    return Sessions.create(master, conf);
  }

  /**
   * The {@code spark.facerender.*} settings of {@code command}, later sources winning: Spark's own
   * configuration (spark-submit's --conf and --properties-file and spark-defaults.conf reach the
   * driver as system properties), then this command's --conf entries, then its flags.
   */
  Map<String, String> settings(CommandSpec command) {
    Map<String, String> merged = new LinkedHashMap<>();
    for (Tuple2<String, String> entry : new SparkConf().getAllWithPrefix(ConfigKey.PREFIX)) {
      merged.put(ConfigKey.PREFIX + entry._1(), entry._2());
    }
    merged.putAll(conf);
    return ConfigOptions.values(command, merged);
  }
}
