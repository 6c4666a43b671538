package dev.facerender.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.config.FacerenderConf;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

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

  /**
   * A command with a bug in it: {@code npe} reads a field nobody set; {@code argument} passes the
   * JDK an argument it refuses, an {@link IllegalArgumentException} that is no user's fault.
   */
  @Command(name = "broken")
  static final class Broken implements Callable<Integer> {
    @Parameters String bug;

    private String notSet;

    @Override
    public Integer call() {
      if (bug.equals("npe")) {
        return notSet.length();
      }
      return List.of(1, 2).subList(2, 1).size();
    }
  }

  private record Run(int exit, String err) {}

  private static Run run(CommandLine commandLine, String... args) {
    StringWriter err = new StringWriter();
    commandLine.setErr(new PrintWriter(err, true));
    int exit = Main.execute(commandLine, args);
    return new Run(exit, err.toString());
  }

  @ParameterizedTest
  @CsvSource({
    "npe, java.lang.NullPointerException",
    "argument, java.lang.IllegalArgumentException"
  })
  void aBugInsideACommandPrintsItsStackTraceAndAnExitCodeOtherThanBadInputs(
      String bug, String exception) {
    CommandLine commandLine = Main.commandLine();
    commandLine.addSubcommand(new Broken());

    Run run = run(commandLine, "broken", bug);

    assertThat(run.exit()).isEqualTo(Main.SOFTWARE_ERROR).isNotEqualTo(Main.INPUT_ERROR);
    assertThat(run.err()).contains(exception).contains("\tat " + Broken.class.getName() + ".call(");
    assertThat(run.err().strip().lines().reduce((first, second) -> second))
        .hasValueSatisfying(last -> assertThat(last).startsWith("facerender: failed: "));
  }

  @Test
  void aBadSettingExitsWithTheInputErrorCodeAndOneLineNamingTheValueAndTheFlag() {
    Run run = run(Main.commandLine(), "doctor", "--level", "extreme2");

    assertThat(run.exit()).isEqualTo(Main.INPUT_ERROR);
    assertThat(run.err().strip().lines())
        .singleElement()
        .asString()
        .startsWith("facerender: Invalid value 'extreme2' for --level")
        .contains("low, medium, high, extreme");
  }
}
