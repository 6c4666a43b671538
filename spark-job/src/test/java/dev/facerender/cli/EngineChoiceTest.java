package dev.facerender.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code render}'s --engine: auto takes the local engine for a small local run, else Spark. */
class EngineChoiceTest {
  @TempDir static Path dir;

  @BeforeAll
  static void generate() {
    assertThat(
            Main.execute(
                "generate",
                "--out",
                dir.resolve("input").toString(),
                "--clips",
                "2",
                "--frames",
                "3",
                "--size",
                "32"))
        .isZero();
  }

  private static int render(String out, String... more) {
    String[] args = {
      "render",
      "--frames",
      dir.resolve("input/frames").toString(),
      "--sources",
      dir.resolve("input/sources").toString(),
      "--out",
      dir.resolve(out).toString()
    };
    String[] all = new String[args.length + more.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return Main.execute(all);
  }

  @Test
  void autoRendersASmallLocalRunWithoutSparkAndSparkWhenAsked() {
    assertThat(render("auto")).isZero();
    assertThat(dir.resolve("auto/run.json")).content().contains("\"engine\" : \"local\"");
    assertThat(render("spark", "--engine", "spark")).isZero();
    assertThat(dir.resolve("spark/run.json")).content().contains("\"engine\" : \"spark\"");
    assertThat(render("with-spark-conf", "--conf", "spark.sql.shuffle.partitions=3")).isZero();
    assertThat(dir.resolve("with-spark-conf/run.json"))
        .content()
        .contains("\"engine\" : \"spark\"");
  }

  @Test
  void localIsRefusedWithTheReasonWhereItCannotRun() {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = render("refused", "--engine", "local", "--conf", "spark.sql.shuffle.partitions=3");
    } finally {
      System.setErr(err);
    }
    assertThat(code).isNotZero();
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("--engine local cannot run this: Spark settings are given")
        .contains("spark.sql.shuffle.partitions")
        .contains("Use --engine spark");
    assertThat(dir.resolve("refused")).doesNotExist();
  }
}
