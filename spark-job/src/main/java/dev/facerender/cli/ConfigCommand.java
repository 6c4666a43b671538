package dev.facerender.cli;

import dev.facerender.config.ConfigKey;
import dev.facerender.config.FacerenderConf;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code facerender config}: every setting as a Markdown table (docs are generated from it). */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Print every setting: Spark key, CLI flag, type, default, meaning.")
final class ConfigCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.out.print(table());
    return 0;
  }

  static String table() {
    StringBuilder md = new StringBuilder();
    md.append("| Spark key | CLI flag | type | default | meaning |\n");
    md.append("|---|---|---|---|---|\n");
    for (ConfigKey<?> key : FacerenderConf.ALL) {
      md.append("| `")
          .append(key.key())
          .append("` | `")
          .append(key.flag())
          .append("` | ")
          .append(key.type())
          .append(" | `")
          .append(key.defaultValue())
          .append("` | ")
          .append(key.doc())
          .append(" (")
          .append(key.checkDoc())
          .append(") |\n");
    }
    return md.toString();
  }
}
