package dev.facerender.cli.options;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.config.ConfigKey;
import dev.facerender.config.FacerenderConf;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

class ConfigOptionsTest {
  @Test
  void helpShowsEveryFlagsDeclaredTextWithItsPercentSignsAndNoWarning() {
    CommandSpec spec = CommandSpec.create();
    ConfigOptions.addTo(spec);
    assertThat(FacerenderConf.ALL).anySatisfy(key -> assertThat(key.doc()).contains("%"));
    // An unescaped "~50% larger" fails picocli's String.format: it warns on stderr on every run.
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    PrintStream original = System.err;
    String help;
    try {
      System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
      help = new CommandLine(spec).getUsageMessage().replaceAll("\\s+", "");
    } finally {
      System.setErr(original);
    }
    assertThat(stderr.toString(StandardCharsets.UTF_8)).doesNotContain("picocli WARN");
    for (ConfigKey<?> key : FacerenderConf.ALL) {
      assertThat(help).contains(ConfigOptions.describe(key).replaceAll("\\s+", ""));
    }
  }
}
