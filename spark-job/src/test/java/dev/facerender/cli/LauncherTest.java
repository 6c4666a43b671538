package dev.facerender.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's choice of natives ({@code ./facerender}, sourced so that it only defines its
 * functions), with fake nvidia-smi programs on PATH.
 */
class LauncherTest {
  private static final Path LAUNCHER = root().resolve("facerender");

  @TempDir Path dir;

  private record Result(int exit, String out, String err) {}

  private static Path root() {
    Path here = Path.of("").toAbsolutePath();
    while (here != null && !Files.isRegularFile(here.resolve("facerender"))) {
      here = here.getParent();
    }
    if (here == null) {
      throw new IllegalStateException("no ./facerender above " + Path.of("").toAbsolutePath());
    }
    return here;
  }

  private Path smi(String name, String body) throws IOException {
    Path folder = Files.createDirectories(dir.resolve(name));
    Path smi = folder.resolve("nvidia-smi");
    Files.writeString(smi, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
    return folder;
  }

  private static Result call(String function, String path, Map<String, String> env)
      throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
            "bash", "-c", "source \"$1\" && " + function, "bash", LAUNCHER.toString());
    builder.environment().remove("FACERENDER_NATIVES");
    builder.environment().put("PATH", path);
    builder.environment().putAll(env);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(process.waitFor(), out.strip(), err.strip());
  }

  private static String systemPath() {
    return System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
  }

  @Test
  void thisMachineWithoutAGpuRunsTheCpuNatives() throws Exception {
    assertThat(call("choose_natives", systemPath(), Map.of())).isEqualTo(new Result(0, "cpu", ""));
  }

  @Test
  void aMachineWhoseNvidiaSmiListsGpusRunsTheGpuNativesAndSaysWhatTheBuildDownloads()
      throws Exception {
    Path gpus = smi("two-gpus", "printf '0\\n1\\n'");
    String path = gpus + ":" + systemPath();

    assertThat(call("choose_natives", path, Map.of()).out()).isEqualTo("gpu");
    assertThat(call("natives_note gpu", path, Map.of()).out())
        .startsWith("facerender: nvidia-smi lists 2 GPU(s): building with libtorch's GPU natives")
        .contains("458 MB");
  }

  @Test
  void anNvidiaSmiThatFailsIsNoGpu() throws Exception {
    Path broken =
        smi(
            "no-driver",
            "echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA"
                + " driver'; exit 9");

    assertThat(call("choose_natives", broken + ":" + systemPath(), Map.of()).out())
        .isEqualTo("cpu");
  }

  @Test
  void facerenderNativesOverridesWhatNvidiaSmiSays() throws Exception {
    String withGpu = smi("one-gpu", "echo 0") + ":" + systemPath();
    Map<String, String> cpu = new HashMap<>(Map.of("FACERENDER_NATIVES", "cpu"));

    assertThat(call("choose_natives", withGpu, cpu).out()).isEqualTo("cpu");
    assertThat(call("choose_natives", systemPath(), Map.of("FACERENDER_NATIVES", "gpu")).out())
        .isEqualTo("gpu");
    Result wrong = call("choose_natives", systemPath(), Map.of("FACERENDER_NATIVES", "cuda"));
    assertThat(wrong.exit()).isEqualTo(2);
    assertThat(wrong.err())
        .isEqualTo("facerender: FACERENDER_NATIVES must be cpu or gpu, got 'cuda'");
  }

  @Test
  void pipsCudaLibraryFoldersGoFirstOnTheLibraryPathOnceEach() throws Exception {
    // A Python whose site-packages hold pip's CUDA wheels, as a GPU machine with PyTorch has them.
    Path site = Files.createDirectories(dir.resolve("site-packages"));
    Path cu13 = Files.createDirectories(site.resolve("nvidia/cu13/lib"));
    Path cudnn = Files.createDirectories(site.resolve("nvidia/cudnn/lib"));
    Files.createDirectories(site.resolve("nvidia/headers-only"));
    Path python = dir.resolve("python");
    Files.writeString(python, "#!/bin/sh\necho " + site + "\n");
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, String> env = new HashMap<>(Map.of("PYTHON", python.toString()));

    env.put("LD_LIBRARY_PATH", "/opt/x");
    assertThat(call("cuda_library_path", systemPath(), env).out())
        .isEqualTo(cu13 + ":" + cudnn + ":/opt/x");
    env.put("LD_LIBRARY_PATH", cudnn + ":/opt/x");
    assertThat(call("cuda_library_path", systemPath(), env).out())
        .as("a folder already on the path is not repeated")
        .isEqualTo(cu13 + ":" + cudnn + ":/opt/x");
    env.put("LD_LIBRARY_PATH", "");
    assertThat(call("cuda_library_path", systemPath(), env).out())
        .as("no empty entry: the linker would read it as the current folder")
        .isEqualTo(cu13 + ":" + cudnn);
  }

  @Test
  void theClassDataArchiveIsStaleWhenMissingOrOlderThanTheBuild() throws Exception {
    Path build = Files.writeString(dir.resolve("launcher.classpath"), "a.jar");
    Path cds = Files.createDirectories(dir.resolve("cds"));
    String fresh =
        "cds_dir='"
            + cds
            + "'; classpath_file='"
            + build
            + "'; cds_fresh && echo fresh || echo stale";

    assertThat(call(fresh, systemPath(), Map.of()).out()).as("no archive").isEqualTo("stale");
    Path archive = Files.writeString(cds.resolve("facerender.jsa"), "archive");
    Files.setLastModifiedTime(archive, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    assertThat(call(fresh, systemPath(), Map.of()).out())
        .as("recorded before the last build")
        .isEqualTo("stale");
    Files.setLastModifiedTime(archive, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
    assertThat(call(fresh, systemPath(), Map.of()).out())
        .as("recorded after it")
        .isEqualTo("fresh");
  }
}
