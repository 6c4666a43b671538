package dev.facerender.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Reads input tables as Parquet or JSON Lines, chosen by extension unless told. */
public final class Tables {
  private Tables() {}

  public static Dataset<Row> read(SparkSession spark, String path, String format) {
    String chosen = format == null || format.isBlank() ? formatOf(path) : format;
    if (!path.contains("://") && !Files.exists(Path.of(path))) {
      throw new InputException("Input " + path + " does not exist");
    }
    return switch (chosen) {
      case "parquet" -> spark.read().parquet(path);
      case "json", "jsonl" -> spark.read().json(path);
      default ->
          throw new InputException(
              "Unknown input format '" + chosen + "' for " + path + ": use parquet or jsonl");
    };
  }

  /** Whether {@code path} is read as Parquet, given {@code format} (blank: by extension). */
  public static boolean isParquet(String path, String format) {
    return (format == null || format.isBlank() ? formatOf(path) : format).equals("parquet");
  }

  /**
   * Whether a table folder's entry {@code name} is not data: Spark's and Hadoop's readers skip
   * names starting with {@code _} or {@code .} (markers such as {@code _SUCCESS}, checksum files).
   */
  public static boolean isHidden(String name) {
    return name.startsWith("_") || name.startsWith(".");
  }

  static String formatOf(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".jsonl") || lower.endsWith(".json") || lower.endsWith(".ndjson")) {
      return "json";
    }
    return "parquet";
  }
}
