package dev.facerender.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.cli.options.ConfigOptions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * spark-submit hands its --conf and --properties-file entries to the driver as system properties;
 * the command's own --conf and flags override them.
 */
class SparkOptionsTest {
  private static final String BATCH = "spark.facerender.batchSize";
  private static final String LEVEL = "spark.facerender.level";
  private static final String FORMAT = "spark.facerender.framesFormat";

  @AfterEach
  void clear() {
    System.clearProperty(BATCH);
    System.clearProperty(LEVEL);
    System.clearProperty(FORMAT);
  }

  private static Map<String, String> settings(String... args) {
    CommandLine commandLine = new CommandLine(new RenderCommand());
    ConfigOptions.addTo(commandLine.getCommandSpec());
    commandLine.parseArgs(args);
    RenderCommand render = commandLine.getCommand();
    return render.sparkOptions.settings(commandLine.getCommandSpec());
  }

  @Test
  void sparkConfigurationReachesTheSettingsAndTheCommandLineWins() {
    System.setProperty(BATCH, "3");
    System.setProperty(LEVEL, "high");
    System.setProperty(FORMAT, "jpeg");

    Map<String, String> values =
        settings(
            "--frames",
            "f",
            "--sources",
            "s",
            "--out",
            "o",
            "--conf",
            LEVEL + "=low",
            "--conf",
            FORMAT + "=raw",
            "--frames-format",
            "png");

    assertThat(values).containsEntry(BATCH, "3").containsEntry(LEVEL, "low");
    assertThat(values).containsEntry(FORMAT, "png");
  }

  @Test
  void withoutSparkConfigurationOnlyTheCommandLineCounts() {
    Map<String, String> values =
        settings("--frames", "f", "--sources", "s", "--out", "o", "--batch-size", "5");
    assertThat(values).containsExactly(Map.entry(BATCH, "5"));
  }
}
