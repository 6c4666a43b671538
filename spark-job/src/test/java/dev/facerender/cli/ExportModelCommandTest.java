package dev.facerender.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportModelCommandTest {
  @TempDir Path dir;

  @Test
  void exportingTheWarpPrintsTheFileAndItsInputsAndWritesThemBesideIt() throws Exception {
    Path file = dir.resolve("warp.pt");
    Output output =
        run(
            "export-model",
            "builtin:warp",
            "--out",
            file.toString(),
            "--size",
            "96",
            "--window-radius",
            "2");

    assertThat(output.exit()).as(output.err()).isZero();
    assertThat(output.out().lines())
        .singleElement()
        .asString()
        .startsWith(file + ": ")
        .contains("builtin:warp forward(source, coeffs) at 96 px")
        .contains("[N,70,5]")
        .contains(file + ".json");
    JsonNode inputs = new ObjectMapper().readTree(dir.resolve("warp.pt.json").toFile());
    assertThat(inputs.get("model").asText()).isEqualTo("builtin:warp");
    assertThat(inputs.get("kind").asText()).isEqualTo("renderer");
    assertThat(inputs.get("bytes").asLong()).isEqualTo(Files.size(file));
    assertThat(inputs.get("size").asInt()).isEqualTo(96);
    assertThat(inputs.get("coeff_count").asInt()).isEqualTo(70);
    assertThat(inputs.get("window_width").asInt()).isEqualTo(5);
    assertThat(inputs.get("takes_source_coeffs").asBoolean()).isFalse();
    assertThat(inputs.get("has_encode_source").asBoolean()).isFalse();
    assertThat(inputs.get("inputs").get("source").asText()).contains("[1,3,96,96]");
  }

  @Test
  void anUnknownModelExitsWithAnInputErrorNamingTheValueAndTheFix() throws Exception {
    Output output = run("export-model", "builtin:nope", "--out", dir.resolve("x.pt").toString());

    assertThat(output.exit()).isEqualTo(Main.INPUT_ERROR);
    assertThat(output.err())
        .contains("'builtin:nope'")
        .contains("builtin:warp")
        .contains("builtin:sharpen")
        .contains("TorchScript file");
    assertThat(dir.resolve("x.pt.json")).doesNotExist();
  }

  @Test
  void aDeviceThatIsNeitherTheCpuNorAGpuIsRefused() throws Exception {
    Output output =
        run(
            "export-model",
            "builtin:warp",
            "--out",
            dir.resolve("x.pt").toString(),
            "--device",
            "gpu0");

    assertThat(output.exit()).isNotZero();
    assertThat(output.err()).contains("--device must be cpu or cuda:N, got 'gpu0'");
  }

  private record Output(int exit, String out, String err) {}

  private static Output run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
      int exit = Main.execute(args);
      return new Output(
          exit,
          outBytes.toString(StandardCharsets.UTF_8),
          errBytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
