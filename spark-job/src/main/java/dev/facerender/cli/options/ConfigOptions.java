package dev.facerender.cli.options;

import dev.facerender.config.ConfigKey;
import dev.facerender.config.FacerenderConf;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/** CLI flags made from the declared settings, so each setting is declared exactly once. */
public final class ConfigOptions {
  private ConfigOptions() {}

  public static void addTo(CommandSpec spec) {
    addTo(spec, FacerenderConf.ALL);
  }

  /** Flags for {@code keys} only. */
  public static void addTo(CommandSpec spec, java.util.List<ConfigKey<?>> keys) {
    for (ConfigKey<?> key : keys) {
      spec.addOption(
          OptionSpec.builder(key.flag())
              .paramLabel("<" + key.type() + ">")
              .type(String.class)
              // picocli runs descriptions through String.format: a bare % ("~50% larger") is
              // a conversion there, so it is escaped.
              .description(describe(key).replace("%", "%%"))
              .build());
    }
  }

  /** The help text of {@code key}'s flag as the user reads it. */
  public static String describe(ConfigKey<?> key) {
    return key.doc() + " (default: " + key.defaultValue() + "; Spark key " + key.key() + ")";
  }

  /** {@code spark.facerender.*} values: {@code --conf} entries first, explicit flags over them. */
  public static Map<String, String> values(CommandSpec spec, Map<String, String> conf) {
    Map<String, String> values = new LinkedHashMap<>();
    conf.forEach(
        (k, v) -> {
          if (k.startsWith(ConfigKey.PREFIX)) {
            values.put(k, v);
          }
        });
    ParseResult parsed = spec.commandLine().getParseResult();
    for (ConfigKey<?> key : FacerenderConf.ALL) {
      if (parsed.hasMatchedOption(key.flag())) {
        values.put(key.key(), parsed.matchedOptionValue(key.flag(), key.defaultValue()));
      }
    }
    return values;
  }
}
