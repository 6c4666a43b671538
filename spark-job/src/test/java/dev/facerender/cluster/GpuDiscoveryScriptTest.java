package dev.facerender.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.runtime.Devices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** conf/getGpusResources.sh against a fake nvidia-smi first on the PATH. */
class GpuDiscoveryScriptTest {
  private static final Path SCRIPT = repoRoot().resolve("conf/getGpusResources.sh");

  @TempDir Path bin;

  record Result(int exitCode, String stdout, String stderr) {}

  static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("conf/jvm-options"))) {
      dir = dir.getParent();
    }
    return dir;
  }

  private void fakeNvidiaSmi(String body) throws IOException {
    Path fake = bin.resolve("nvidia-smi");
    Files.writeString(fake, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private Result discover(String path) throws IOException, InterruptedException {
    return discover(path, Map.of());
  }

  private Result discover(String path, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("/bin/bash", SCRIPT.toString());
    builder.environment().remove("CUDA_VISIBLE_DEVICES");
    builder.environment().remove("CUDA_DEVICE_ORDER");
    builder.environment().putAll(env);
    builder.environment().put("PATH", path);
    Path out = bin.resolve("stdout");
    Path err = bin.resolve("stderr");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("script finished").isTrue();
    return new Result(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private Result discoverWithFake() throws IOException, InterruptedException {
    return discover(bin + ":/usr/bin:/bin");
  }

  private Result discoverWithFake(Map<String, String> env)
      throws IOException, InterruptedException {
    return discover(bin + ":/usr/bin:/bin", env);
  }

  /** nvidia-smi as the driver ships it: every GPU of the machine, CUDA_VISIBLE_DEVICES ignored. */
  private void fourGpus() throws IOException {
    fakeNvidiaSmi(
        "[ \"$*\" = \"--query-gpu=index --format=csv,noheader\" ] || exit 64\n"
            + "printf '0\\n1\\n2\\n3\\n'");
  }

  private static List<String> addresses(Result result) {
    return List.of(ResourceInformation.parseJson(result.stdout()).addresses());
  }

  @Test
  void twoGpusGiveSparkTheirIndices() throws Exception {
    fakeNvidiaSmi(
        "[ \"$*\" = \"--query-gpu=index --format=csv,noheader\" ] || exit 64\nprintf '0\\n1\\n'");

    Result result = discoverWithFake();

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout().strip()).isEqualTo("{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\"]}");
    // Spark parses the line into ResourceInformation; the executor side turns the first
    // address into the CUDA device it renders on.
    ResourceInformation parsed = ResourceInformation.parseJson(result.stdout());
    assertThat(parsed.name()).isEqualTo("gpu");
    assertThat(List.of(parsed.addresses())).containsExactly("0", "1");
    assertThat(new Devices().forTask(16L << 30, 0.5, 0L, Map.of("gpu", parsed)).id())
        .isEqualTo("sim-gpu:0");
  }

  @Test
  void cudaVisibleDevicesAreRenumberedFromZeroAsCudaDoes() throws Exception {
    fourGpus();

    Result result =
        discoverWithFake(Map.of("CUDA_VISIBLE_DEVICES", "2,3", "CUDA_DEVICE_ORDER", "PCI_BUS_ID"));

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(addresses(result)).containsExactly("0", "1");
    assertThat(result.stderr()).isEmpty();
  }

  @Test
  void cudaShowsTheVisibleDevicesOnlyUpToTheFirstThatNamesNoGpu() throws Exception {
    fourGpus();

    Result result =
        discoverWithFake(
            Map.of("CUDA_VISIBLE_DEVICES", "3,GPU-8f2a,9,1", "CUDA_DEVICE_ORDER", "PCI_BUS_ID"));

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(addresses(result)).containsExactly("0", "1");
    assertThat(result.stderr()).contains("entry '9' names no GPU nvidia-smi lists (0 1 2 3)");
  }

  @Test
  void cudaVisibleDevicesThatHideEveryGpuIsAnError() throws Exception {
    fourGpus();

    for (String hidden : List.of("", "-1", "7")) {
      Result result =
          discoverWithFake(
              Map.of("CUDA_VISIBLE_DEVICES", hidden, "CUDA_DEVICE_ORDER", "PCI_BUS_ID"));

      assertThat(result.exitCode()).as("CUDA_VISIBLE_DEVICES='%s'", hidden).isNotZero();
      assertThat(result.stdout()).isEmpty();
      assertThat(result.stderr()).contains("leaves CUDA no GPU");
    }
  }

  @Test
  void visibleIndicesWithoutPciOrderAreFlagged() throws Exception {
    fourGpus();

    Result result = discoverWithFake(Map.of("CUDA_VISIBLE_DEVICES", "1"));

    assertThat(result.exitCode()).isZero();
    assertThat(addresses(result)).containsExactly("0");
    assertThat(result.stderr()).contains("not PCI_BUS_ID");
  }

  @Test
  void theGpuTemplateSetsPciOrderForExecutorsAndDrivers() throws IOException {
    Map<String, String> conf = new HashMap<>();
    for (String line :
        Files.readAllLines(SCRIPT.resolveSibling("spark-defaults.gpu-cluster.conf"))) {
      String[] kv = line.strip().split("\\s+", 2);
      if (kv.length == 2 && !kv[0].startsWith("#")) {
        conf.put(kv[0], kv[1]);
      }
    }
    assertThat(conf)
        .containsEntry("spark.executorEnv.CUDA_DEVICE_ORDER", "PCI_BUS_ID")
        .containsEntry("spark.yarn.appMasterEnv.CUDA_DEVICE_ORDER", "PCI_BUS_ID")
        .containsEntry("spark.kubernetes.driverEnv.CUDA_DEVICE_ORDER", "PCI_BUS_ID");
    assertThat(Files.readString(repoRoot().resolve("facerender"))).contains("CUDA_DEVICE_ORDER");
  }

  @Test
  void noGpuIsAnErrorWithAReason() throws Exception {
    fakeNvidiaSmi("exit 0");

    Result result = discoverWithFake();

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stdout()).isEmpty();
    assertThat(result.stderr()).contains("nvidia-smi lists no GPU");
  }

  @Test
  void aFailingNvidiaSmiIsAnErrorThatCarriesItsMessage() throws Exception {
    fakeNvidiaSmi(
        "echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\" >&2\n"
            + "exit 9");

    Result result = discoverWithFake();

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stdout()).isEmpty();
    assertThat(result.stderr())
        .contains("nvidia-smi failed")
        .contains("couldn't communicate with the NVIDIA driver");
  }

  @Test
  void noNvidiaSmiAtAllIsAnError() throws Exception {
    Result result = discover(bin.toString());

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains("nvidia-smi not found");
  }

  @Test
  void garbageFromNvidiaSmiIsAnError() throws Exception {
    fakeNvidiaSmi("echo 'No devices were found'");

    Result result = discoverWithFake();

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains("unexpected nvidia-smi output");
  }
}
