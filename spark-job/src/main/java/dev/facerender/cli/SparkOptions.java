package dev.facerender.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The Spark options every Spark-running command takes. */
final class SparkOptions {
  @Option(names = "--master", description = "Spark master (default: local[*])")
  String master;

  @Option(names = "--conf", description = "Spark or spark.facerender.* setting KEY=VALUE")
  Map<String, String> conf = new LinkedHashMap<>();

  SparkSession start() {
    return Sessions.create(master, conf);
  }

  /** The {@code spark.facerender.*} settings of {@code command}: --conf entries, then flags. */
  Map<String, String> settings(CommandSpec command) {
    return ConfigOptions.values(command, conf);
  }
}
