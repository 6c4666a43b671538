package dev.facerender.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.facerender.cli.Main;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/gpu-probe.py compiles the shipped TorchScript sources with plain PyTorch: where a Python
 * with PyTorch is installed, a CPU smoke run proves the sources and the mix-weight formula it reads
 * from the Java code still compile and render there, and a model exported by {@code facerender
 * export-model} loads and is timed there. Machines without PyTorch skip it.
 */
class GpuProbeScriptTest {
  private static final String PYTHON = "/usr/bin/python3";

  @TempDir Path dir;

  @Test
  void aCpuSmokeRunMeasuresBothBuiltInsAtEveryBatch() throws Exception {
    assumeTrue(run(List.of(PYTHON, "-c", "import torch")) == 0, "no PyTorch for " + PYTHON);
    Path out = dir.resolve("probe.json");
    int exit =
        run(
            List.of(
                PYTHON,
                repo().resolve("bench/gpu-probe.py").toString(),
                "--device",
                "cpu",
                "--size",
                "32",
                "--max-batch",
                "4",
                "--iters",
                "1"),
            out);

    String text = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(exit).as(Files.readString(dir.resolve("probe.json.err"))).isZero();
    JsonNode report = new ObjectMapper().readTree(text);
    assertThat(report.get("device").asText()).isEqualTo("cpu");
    for (String model : List.of("builtin:warp", "builtin:warp+builtin:sharpen")) {
      JsonNode points = report.get("models").get(model).get("points");
      assertThat(points).hasSize(3);
      for (int i = 0; i < 3; i++) {
        assertThat(points.get(i).get("batch").asInt()).isEqualTo(1 << i);
        assertThat(points.get(i).get("frames_per_second").asDouble()).isPositive();
      }
    }
  }

  @Test
  void aCpuRunOfAnExportedModelTimesItAtEveryBatchFromItsInputsFile() throws Exception {
    assumeTrue(run(List.of(PYTHON, "-c", "import torch")) == 0, "no PyTorch for " + PYTHON);
    Path module = dir.resolve("warp.pt");
    assertThat(
            Main.execute(
                "export-model", "builtin:warp", "--out", module.toString(), "--size", "32"))
        .isZero();
    Path out = dir.resolve("probe.json");
    int exit =
        run(
            List.of(
                PYTHON,
                repo().resolve("bench/gpu-probe.py").toString(),
                "--module",
                module.toString(),
                "--device",
                "cpu",
                "--max-batch",
                "4",
                "--iters",
                "2"),
            out);

    assertThat(exit).as(Files.readString(dir.resolve("probe.json.err"))).isZero();
    JsonNode report = new ObjectMapper().readTree(out.toFile());
    assertThat(report.get("torch").asText()).isNotEmpty();
    assertThat(report.get("device_name").asText()).isNotEmpty();
    assertThat(report.get("size").asInt()).isEqualTo(32);
    assertThat(report.get("inputs").get("model").asText()).isEqualTo("builtin:warp");
    JsonNode points = report.get("points");
    assertThat(points).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(points.get(i).get("batch").asInt()).isEqualTo(1 << i);
      assertThat(points.get(i).get("frames_per_second").asDouble()).isPositive();
      assertThat(points.get(i).get("warmup_runs").asInt()).isBetween(2, 20);
    }
    assertThat(report.get("best").get("frames_per_second").asDouble())
        .isEqualTo(
            Math.max(
                points.get(0).get("frames_per_second").asDouble(),
                Math.max(
                    points.get(1).get("frames_per_second").asDouble(),
                    points.get(2).get("frames_per_second").asDouble())));
  }

  private static Path repo() {
    Path repo = Path.of("").toAbsolutePath();
    while (!Files.isRegularFile(repo.resolve("bench/gpu-probe.py"))) {
      repo = repo.getParent();
    }
    return repo;
  }

  private int run(List<String> command) throws Exception {
    return run(command, dir.resolve("out.txt"));
  }

  private static int run(List<String> command, Path out) throws Exception {
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(out.resolveSibling(out.getFileName() + ".err").toFile())
            .start();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
    return process.exitValue();
  }
}
