package dev.facerender.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.config.ConfigKey;
import dev.facerender.config.FacerenderConf;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The committed docs/config.md and conf/facerender.conf are the config command's output. */
class ConfigFilesTest {
  static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("conf/jvm-options"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("repository root above the working directory").isNotNull();
    return dir;
  }

  @Test
  void docsConfigMdIsTheGeneratedPage() throws IOException {
    String committed = Files.readString(repoRoot().resolve("docs/config.md"));
    assertThat(committed)
        .as("docs/config.md is stale: run ./facerender config --markdown > docs/config.md")
        .isEqualTo(ConfigCommand.markdown());
  }

  @Test
  void confFacerenderConfIsTheGeneratedJobFile() throws IOException {
    String committed = Files.readString(repoRoot().resolve("conf/facerender.conf"));
    assertThat(committed)
        .as(
            "conf/facerender.conf is stale: run ./facerender config --properties > conf/facerender.conf")
        .isEqualTo(ConfigCommand.properties());
  }

  @Test
  void theJobFileReadAsSparkReadsItHasEveryDeclaredKeyAtItsDefault() throws IOException {
    // spark-submit loads --properties-file with java.util.Properties and trims the values.
    Properties properties = new Properties();
    try (Reader reader =
        Files.newBufferedReader(
            repoRoot().resolve("conf/facerender.conf"), StandardCharsets.UTF_8)) {
      properties.load(reader);
    }
    Map<String, String> values = new HashMap<>();
    properties.stringPropertyNames().forEach(k -> values.put(k, properties.getProperty(k).strip()));

    assertThat(values.keySet())
        .containsExactlyInAnyOrderElementsOf(
            FacerenderConf.ALL.stream().map(ConfigKey::key).toList());
    FacerenderConf.validate(values);
    for (ConfigKey<?> key : FacerenderConf.ALL) {
      assertThat(values.get(key.key())).as(key.key()).isEqualTo(key.defaultValue());
    }
  }

  @Test
  void theCommandPrintsEachForm() {
    assertThat(Main.execute("config", "--markdown")).isZero();
    assertThat(Main.execute("config", "--properties")).isZero();
    assertThat(Main.execute("config", "--markdown", "--properties")).isNotZero();
  }
}
