package dev.facerender.sadtalker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.facerender.cli.Main;
import dev.facerender.codec.ImageCodec;
import dev.facerender.codec.Psnr;
import dev.facerender.codec.RgbImage;
import dev.facerender.io.ParquetTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;

/**
 * The SadTalker checkout and the Python the tests run its tools with: {@code ../shared/sadtalker}
 * beside the project (or {@code FACERENDER_SADTALKER}), and {@code /usr/bin/python3} with Debian's
 * python3-torch, -numpy, -scipy, -yaml and -pil (or {@code FACERENDER_PYTHON}). Tests skip, saying
 * which is missing, where either is.
 */
final class SadTalkerTools {
  /** The project's root: the tests run in {@code spark-job/}. */
  static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  private SadTalkerTools() {}

  /** The checkout, or the test is skipped with the reason. */
  static Path checkout() {
    String env = System.getenv("FACERENDER_SADTALKER");
    Path checkout =
        env != null && !env.isBlank()
            ? Path.of(env)
            : ROOT.getParent().resolve("shared").resolve("sadtalker");
    assumeTrue(
        Files.isRegularFile(checkout.resolve("src/facerender/modules/make_animation.py")),
        "no SadTalker checkout at "
            + checkout
            + " (set FACERENDER_SADTALKER to one): the SadTalker tests are skipped");
    return checkout;
  }

  /** A Python that imports what the tools need, or the test is skipped with the reason. */
  static String python() {
    String env = System.getenv("FACERENDER_PYTHON");
    String python = env != null && !env.isBlank() ? env : "/usr/bin/python3";
    Result probe =
        run(
            ROOT,
            120,
            python,
            "-c",
            "import torch, numpy, scipy.io, yaml, PIL; print(torch.__version__)");
    assumeTrue(
        probe.exitCode() == 0,
        python
            + " cannot import torch, numpy, scipy, yaml and PIL (apt install python3-torch"
            + " python3-numpy python3-scipy python3-yaml python3-tqdm python3-pil): the SadTalker"
            + " tests are skipped\n"
            + probe.output());
    return python;
  }

  record Result(int exitCode, String output) {}

  /** Runs {@code command} in {@code dir}, at most {@code seconds}; its output in the result. */
  static Result run(Path dir, long seconds, String... command) {
    try {
      Path log = Files.createTempFile("sadtalker-tool", ".log");
      try {
        Process process =
            new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
          return new Result(-1, "timed out after " + seconds + " s\n" + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log));
      } finally {
        Files.deleteIfExists(log);
      }
    } catch (IOException e) {
      return new Result(-1, String.join(" ", command) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Runs one of tools/sadtalker's scripts and asserts it passed, showing its output if not. */
  static String tool(String python, long seconds, String script, String... args) {
    List<String> command = new ArrayList<>(List.of(python, "tools/sadtalker/" + script));
    command.addAll(List.of(args));
    Result result = run(ROOT, seconds, command.toArray(String[]::new));
    assertThat(result.exitCode())
        .as("%s exit code; its output:%n%s", String.join(" ", command), tail(result.output()))
        .isZero();
    return result.output();
  }

  /** Runs a {@code facerender} command in this JVM and asserts it succeeded. */
  static void facerender(String... args) {
    assertThat(Main.execute(args)).as("facerender %s", String.join(" ", args)).isZero();
  }

  /** A run's frames by clip id and frame index, decoded. */
  static Map<String, Map<Integer, RgbImage>> frames(Path run) {
    ParquetTable table = ParquetTable.open(run.resolve("frames").toString(), new Configuration());
    assertThat(table).as("frames table of %s", run).isNotNull();
    Map<String, Map<Integer, RgbImage>> frames = new TreeMap<>();
    table.forEach(
        List.of("clip_id", "frame_index", "image"),
        row -> {
          try {
            frames
                .computeIfAbsent((String) row[0], k -> new TreeMap<>())
                .put((Integer) row[1], ImageCodec.decode((byte[]) row[2]));
          } catch (Exception e) {
            throw new IllegalStateException("frame " + row[0] + "/" + row[1] + ": " + e, e);
          }
        });
    return frames;
  }

  /** The worst frame's PSNR and the largest 8-bit difference of {@code frames} against PNGs. */
  record Agreement(double worstPsnr, int maxDifference, int frames) {}

  /**
   * Compares every frame of {@code frames} to {@code reference.get(i)} (PNG files written by
   * fixtures.py from SadTalker's make_animation), by clip.
   */
  static Agreement against(Map<Integer, RgbImage> frames, List<Path> reference) {
    assertThat(frames.keySet()).hasSize(reference.size());
    double worst = Psnr.IDENTICAL;
    int max = 0;
    for (int i = 0; i < reference.size(); i++) {
      RgbImage expected;
      try {
        expected = ImageCodec.decode(Files.readAllBytes(reference.get(i)));
      } catch (Exception e) {
        throw new IllegalStateException(reference.get(i) + ": " + e, e);
      }
      RgbImage actual = frames.get(i);
      assertThat(actual.width()).isEqualTo(expected.width());
      assertThat(actual.height()).isEqualTo(expected.height());
      worst = Math.min(worst, Psnr.of(actual.bgr(), expected.bgr()));
      for (int b = 0; b < actual.bgr().length; b++) {
        max = Math.max(max, Math.abs((actual.bgr()[b] & 0xff) - (expected.bgr()[b] & 0xff)));
      }
    }
    return new Agreement(worst, max, reference.size());
  }

  static String tail(String text) {
    return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
