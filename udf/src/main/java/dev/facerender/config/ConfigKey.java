package dev.facerender.config;

import static java.util.Objects.requireNonNull;

import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One setting, declared once: its Spark key ({@code spark.facerender.*}), its CLI flag, its doc,
 * its parser, its default and its check. Both the CLI and Spark configuration map onto it.
 */
public record ConfigKey<T>(
    String key,
    String flag,
    String doc,
    String type,
    String defaultValue,
    Function<String, T> parser,
    Predicate<T> check,
    String checkDoc) {
  public static final String PREFIX = "spark.facerender.";

  public ConfigKey {
    requireNonNull(key, "key is null");
    requireNonNull(flag, "flag is null");
    requireNonNull(doc, "doc is null");
    requireNonNull(type, "type is null");
    requireNonNull(defaultValue, "defaultValue is null");
    requireNonNull(parser, "parser is null");
    requireNonNull(check, "check is null");
    requireNonNull(checkDoc, "checkDoc is null");
    if (!key.startsWith(PREFIX)) {
      throw new IllegalArgumentException("key must start with " + PREFIX + ": " + key);
    }
  }

  /**
   * Parses and checks {@code raw}; a {@link ConfigException} names the key, the flag, the value and
   * the rule.
   */
  public T parse(String raw) {
    T value;
    try {
      value = parser.apply(raw.strip());
    } catch (RuntimeException e) {
      throw invalid(raw, e.getMessage(), e);
    }
    if (!check.test(value)) {
      throw invalid(raw, "must be " + checkDoc, null);
    }
    return value;
  }

  private ConfigException invalid(String raw, String why, Throwable cause) {
    return new ConfigException(
        String.format("Invalid value '%s' for %s (%s): %s", raw, flag, key, why), cause);
  }

  /**
   * Declares setting {@code spark.facerender.NAME}. The declaring classes (FacerenderConf,
   * FaultConf, VideoConf) call this, not each other, so none needs another initialized first.
   */
  static <T> ConfigKey<T> declare(
      String name,
      String flag,
      String doc,
      String type,
      String defaultValue,
      Function<String, T> parser,
      Predicate<T> check,
      String checkDoc) {
    return new ConfigKey<>(PREFIX + name, flag, doc, type, defaultValue, parser, check, checkDoc);
  }
}
