package dev.facerender.natives;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CUDA library check against folders of fake libraries named by soname. */
class CudaLibrariesTest {
  @TempDir Path dir;

  private Path folder(String name, List<String> sonames) throws Exception {
    Path folder = Files.createDirectories(dir.resolve(name));
    for (String soname : sonames) {
      Files.createFile(folder.resolve(soname));
    }
    return folder;
  }

  private static CudaLibraries.Library library(CudaLibraries.Report report, String soname) {
    return report.libraries().stream()
        .filter(l -> l.soname().equals(soname))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aLibraryMissingFromTheLibraryPathIsNamedWithWhatToInstall() throws Exception {
    List<String> present = new ArrayList<>(NeededLibraries.KNOWN);
    present.addAll(CudaLibraries.OPENED_AT_RUN_TIME.keySet());
    present.remove("libcudnn.so.9");
    Path libs = folder("libs", present);

    CudaLibraries.Report report =
        CudaLibraries.check(
            NeededLibraries.known(), "test", new LibrarySearch(List.of(libs), Map.of(), List.of()));

    assertThat(report.missing()).isEqualTo(1);
    assertThat(report.allLoad()).isFalse();
    CudaLibraries.Library cudnn = library(report, "libcudnn.so.9");
    assertThat(cudnn.path()).isEqualTo("missing");
    assertThat(cudnn.neededBy()).isEqualTo("the -gpu natives (known list)");
    assertThat(cudnn.fix())
        .contains("cuDNN 9 for CUDA 13")
        .contains("point LD_LIBRARY_PATH at a folder that has libcudnn.so.9");
    CudaLibraries.Library cublas = library(report, "libcublas.so.13");
    assertThat(cublas.path()).isEqualTo(libs.resolve("libcublas.so.13").toString());
    assertThat(cublas.where()).isEqualTo("LD_LIBRARY_PATH");
    assertThat(cublas.loads()).isTrue();
    assertThat(cublas.fix()).isEmpty();
    assertThat(report.libraries())
        .extracting(CudaLibraries.Library::soname)
        .containsAll(NeededLibraries.KNOWN)
        .contains(CudaLibraries.DRIVER, "libnvrtc.so.13", "libnvJitLink.so.13");
    assertThat(library(report, "libnvrtc.so.13").neededBy()).contains("opened at run time");
  }

  @Test
  void theVersionIsReadFromTheFileTheSonameResolvesTo() throws Exception {
    Path libs = folder("versions", List.of("libcudart.so.13.0.96"));
    Files.createSymbolicLink(libs.resolve("libcudart.so.13"), Path.of("libcudart.so.13.0.96"));
    Files.createFile(libs.resolve("libnccl.so.2"));

    CudaLibraries.Report report =
        CudaLibraries.check(
            Map.of("libcudart.so.13", "libtorch_cuda.so", "libnccl.so.2", "libtorch_cuda.so"),
            "test",
            new LibrarySearch(List.of(libs), Map.of(), List.of()));

    assertThat(library(report, "libcudart.so.13").version()).isEqualTo("13.0.96");
    assertThat(library(report, "libnccl.so.2").version()).isEqualTo("2");
  }

  @Test
  void aLibraryOnlyInAPipFolderIsFoundButNeedsTheLibraryPath() throws Exception {
    Path pip = folder("site-packages/nvidia/cudnn/lib", List.of("libcudnn.so.9"));
    Path cache = folder("cache", List.of("libcuda.so.1"));

    CudaLibraries.Report report =
        CudaLibraries.check(
            Map.of("libcudnn.so.9", "libtorch_cuda.so"),
            "test",
            new LibrarySearch(
                List.of(), Map.of("libcuda.so.1", cache.resolve("libcuda.so.1")), List.of(pip)));

    CudaLibraries.Library cudnn = library(report, "libcudnn.so.9");
    assertThat(cudnn.loads()).isFalse();
    assertThat(cudnn.fix())
        .startsWith("found outside the linker's path: export LD_LIBRARY_PATH=" + pip + ":");
    assertThat(report.libraryPath()).isEqualTo(pip.toString());
    assertThat(library(report, "libcuda.so.1").where()).isEqualTo("linker cache (ldconfig -p)");
    // The libraries opened at run time are all missing here but the driver's, in the cache.
    assertThat(report.missing()).isEqualTo(CudaLibraries.OPENED_AT_RUN_TIME.size() - 1);
  }

  @Test
  void theLinkerCacheIsReadAsLdconfigPrintsIt() {
    Map<String, Path> cache =
        LibrarySearch.parseLinkerCache(
            "3 libs found in cache `/etc/ld.so.cache'\n"
                + "\tlibcudart.so.13 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.13\n"
                + "\tlibcudart.so.13 (libc6) => /usr/lib32/libcudart.so.13\n"
                + "\tlibcuda.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libcuda.so.1\n");

    assertThat(cache)
        .containsEntry("libcudart.so.13", Path.of("/usr/local/cuda/lib64/libcudart.so.13"))
        .containsEntry("libcuda.so.1", Path.of("/lib/x86_64-linux-gnu/libcuda.so.1"))
        .hasSize(2);
  }

  @Test
  void thePipFoldersOfEachPython3OnThePathAreSearched() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("venv/bin"));
    Path python = Files.createFile(bin.resolve("python3"));
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path cu13 =
        Files.createDirectories(dir.resolve("venv/lib/python3.12/site-packages/nvidia/cu13/lib"));
    Path nccl =
        Files.createDirectories(dir.resolve("venv/lib/python3.12/site-packages/nvidia/nccl/lib"));

    assertThat(LibrarySearch.pipFolders("/nonexistent:" + bin, dir.resolve("home")))
        .containsExactly(cu13, nccl);
  }

  @Test
  void cudaToolkitFoldersUnderUsrLocalAreSearched() throws Exception {
    Path lib64 = Files.createDirectories(dir.resolve("cuda-13.0/lib64"));
    Files.createDirectories(dir.resolve("other/lib64"));

    assertThat(LibrarySearch.cudaFolders(dir)).containsExactly(lib64);
  }
}
