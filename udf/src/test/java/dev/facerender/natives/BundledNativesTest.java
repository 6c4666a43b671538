package dev.facerender.natives;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine with another libtorch: a decoy {@code libtorch.so}, {@code libtorch_cpu.so} and {@code
 * libc10.so} first on {@code LD_LIBRARY_PATH} and {@code java.library.path}, and an empty JavaCPP
 * cache, as on a first start. The dynamic linker reports every library it initialises ({@code
 * LD_DEBUG=files}), which shows whether a decoy got in.
 */
class BundledNativesTest {
  @TempDir static Path work;
  private static Path decoys;

  @BeforeAll
  static void decoys() throws IOException {
    decoys = Files.createDirectories(work.resolve("decoy-libs"));
    // Any shared library will do: the linker takes a file by its name.
    Path unrelated = Path.of(System.getProperty("java.home"), "lib", "libjsig.so");
    for (String name : List.of("libtorch.so", "libtorch_cpu.so", "libc10.so")) {
      Files.copy(unrelated, decoys.resolve(name));
    }
  }

  @Test
  void aFirstStartWithADecoyLibtorchOnEveryPathRendersWithTheBundledOne() throws Exception {
    String output = child("model", work.resolve("cache-model"));

    assertThat(output)
        .contains("rendered [1, 3, 32, 32]")
        .doesNotContain("calling init: " + decoys);
    assertThat(output)
        .containsPattern("loaded \\[.*cache-model/[^,]*/libc10.so, [^,]*/libtorch_cpu.so, ");
  }

  @Test
  void thePresetsOwnLoadingOrderTakesTheDecoy() throws Exception {
    // Without Facerender's loading first, libtorch.so goes before libtorch_cpu.so and the linker
    // finds libtorch_cpu.so on LD_LIBRARY_PATH: the hazard the test above guards against.
    String output = child("presets", work.resolve("cache-presets"));

    assertThat(output).contains("calling init: " + decoys.resolve("libtorch_cpu.so"));
  }

  private static String child(String mode, Path emptyCache)
      throws IOException, InterruptedException {
    Files.createDirectories(emptyCache);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions());
    command.add("-Djava.library.path=" + decoys);
    command.add("-Dorg.bytedeco.javacpp.cachedir=" + emptyCache);
    command.add(
        "-Dorg.bytedeco.javacpp.platform.extension="
            + System.getProperty("org.bytedeco.javacpp.platform.extension", ""));
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), NativesChild.class.getName(), mode));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    String inherited = System.getenv("LD_LIBRARY_PATH");
    builder
        .environment()
        .put("LD_LIBRARY_PATH", decoys + (inherited == null ? "" : ":" + inherited));
    builder.environment().put("LD_DEBUG", "files");
    Path log = work.resolve(mode + ".log");
    Process process = builder.redirectOutput(log.toFile()).start();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("child finished").isTrue();
    String output = Files.readString(log, StandardCharsets.UTF_8);
    if (mode.equals("model")) {
      assertThat(process.exitValue()).as(output).isZero();
    }
    return output;
  }

  /** The flags the launcher and the conf templates start every JVM with. */
  private static List<String> jvmOptions() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("conf/jvm-options"))) {
      dir = dir.getParent();
    }
    try {
      return Files.readAllLines(dir.resolve("conf/jvm-options")).stream()
          .map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
