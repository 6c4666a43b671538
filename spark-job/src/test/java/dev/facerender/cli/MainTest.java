package dev.facerender.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.config.FacerenderConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MainTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "generate",
        "render",
        "demo",
        "doctor",
        "benchmark",
        "export",
        "export-model",
        "config"
      })
  void everyCommandBuildsItsOptionsAndPrintsHelp(String command) {
    assertThat(Main.execute(command, "--help")).isZero();
  }

  @Test
  void theConfigTableListsEveryDeclaredSettingWithItsFlag() {
    String table = ConfigCommand.table();
    FacerenderConf.ALL.forEach(
        key -> assertThat(table).contains("`" + key.key() + "`").contains("`" + key.flag() + "`"));
  }
}
