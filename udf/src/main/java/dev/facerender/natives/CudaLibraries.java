package dev.facerender.natives;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The CUDA libraries the GPU natives need, by soname, each found (where, which version) or missing
 * with what to install or where to point {@code LD_LIBRARY_PATH}. The sonames come from the dynamic
 * sections of the -gpu jar's {@code libtorch_cuda*.so} and {@code libc10_cuda.so} where that jar is
 * at hand, else from the list below; what each found library needs in turn is checked too (cuSPARSE
 * links nvJitLink), and so is the driver's {@code libcuda.so.1}.
 */
public final class CudaLibraries {
  /** Libraries no dynamic section names, opened while running, and by whom. */
  static final Map<String, String> OPENED_AT_RUN_TIME =
      orderedMap(
          "libnvJitLink.so.13",
          "libcusparse.so.12 (linked; listed for when cuSPARSE itself is missing)",
          "libnvrtc.so.13",
          "libtorch, opened at run time (NVRTC: TorchScript's CUDA fuser compiles with it)",
          "libcudnn_heuristic.so.9",
          "cuDNN, opened at run time",
          "libcudnn_engines_precompiled.so.9",
          "cuDNN, opened at run time",
          "libcudnn_engines_runtime_compiled.so.9",
          "cuDNN, opened at run time",
          "libcuda.so.1",
          "the CUDA runtime: the NVIDIA driver's library");

  static final String DRIVER = "libcuda.so.1";

  /**
   * One library and who needs it; {@code path} is "missing" when it is nowhere; {@code fix} is
   * empty when it loads as it is.
   */
  public record Library(
      String soname,
      String neededBy,
      String path,
      String version,
      String where,
      boolean loads,
      String fix) {}

  /** Every library, where their names came from, and one LD_LIBRARY_PATH that finds them all. */
  public record Report(String neededFrom, List<Library> libraries, String libraryPath) {
    public long missing() {
      return libraries.stream().filter(l -> l.path().equals("missing")).count();
    }

    public boolean allLoad() {
      return libraries.stream().allMatch(Library::loads);
    }
  }

  private CudaLibraries() {}

  /** This machine's answer, for the natives on the class path or the -gpu jar beside them. */
  public static Report ofThisMachine() {
    NeededLibraries needed = NeededLibraries.ofGpuNatives();
    return check(needed.sonames(), needed.from(), LibrarySearch.ofThisMachine());
  }

  /**
   * Finds {@code sonames} (soname to who needs it), the libraries opened at run time, and the CUDA
   * libraries each one found needs in turn.
   */
  public static Report check(Map<String, String> sonames, String from, LibrarySearch search) {
    Map<String, String> wanted = new LinkedHashMap<>(sonames);
    OPENED_AT_RUN_TIME.forEach(wanted::putIfAbsent);
    Deque<Map.Entry<String, String>> queue = new ArrayDeque<>(wanted.entrySet());
    Set<String> seen = new LinkedHashSet<>();
    List<Library> libraries = new ArrayList<>();
    Set<String> addDirs = new LinkedHashSet<>();
    while (!queue.isEmpty()) {
      Map.Entry<String, String> next = queue.poll();
      String soname = next.getKey();
      if (!seen.add(soname)) {
        continue;
      }
      LibrarySearch.Found found = search.find(soname);
      if (found == null) {
        libraries.add(
            new Library(soname, next.getValue(), "missing", "", "", false, install(soname)));
        continue;
      }
      String dir = found.path().getParent().toString();
      String fix = "";
      if (!found.onLinkerPath()) {
        addDirs.add(dir);
        fix =
            "found outside the linker's path: export LD_LIBRARY_PATH="
                + dir
                + ":$LD_LIBRARY_PATH (executors: spark.executorEnv.LD_LIBRARY_PATH)";
      }
      libraries.add(
          new Library(
              soname,
              next.getValue(),
              found.path().toString(),
              version(soname, found.path()),
              found.where(),
              found.onLinkerPath(),
              fix));
      for (String linked : neededBy(found.path())) {
        if (isCuda(linked) && !seen.contains(linked)) {
          queue.add(Map.entry(linked, soname));
        }
      }
    }
    return new Report(from, libraries, String.join(":", addDirs));
  }

  private static Map<String, String> orderedMap(String... pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(map);
  }

  /** What to install, or where to point LD_LIBRARY_PATH, for a missing {@code soname}. */
  static String install(String soname) {
    if (soname.startsWith("libcuda.so")) {
      return installHint(soname);
    }
    return installHint(soname)
        + ", or point LD_LIBRARY_PATH at a folder that has "
        + soname
        + " (a PyTorch CUDA 13 install's site-packages/nvidia/*/lib: cu13, cudnn, cusparselt,"
        + " nccl, nvshmem)";
  }

  /** What to install for a missing {@code soname}, in one clause. */
  public static String installHint(String soname) {
    String what;
    if (soname.startsWith("libcuda.so")) {
      return "install the NVIDIA driver, R580 or newer for CUDA 13 (nvidia-smi then lists the GPU)";
    } else if (soname.startsWith("libcudnn")) {
      what = "cuDNN 9 for CUDA 13 (NVIDIA's libcudnn9-cuda-13, or a CUDA 13 cudnn-runtime image)";
    } else if (soname.startsWith("libnccl")) {
      what = "NCCL 2 for CUDA 13 (NVIDIA's libnccl2)";
    } else if (soname.startsWith("libcusparseLt")) {
      what = "cuSPARSELt for CUDA 13 (NVIDIA's libcusparselt packages)";
    } else if (soname.startsWith("libnvshmem")) {
      what = "NVSHMEM 3 for CUDA 13 (NVIDIA's libnvshmem3 packages)";
    } else {
      what =
          "the CUDA 13 runtime libraries (NVIDIA's cuda-libraries-13-0, or a CUDA 13 runtime image)";
    }
    return "install " + what;
  }

  /** The version the resolved file's name carries ({@code libcudart.so.13.0.96}: 13.0.96). */
  static String version(String soname, Path path) {
    String name;
    try {
      name = path.toRealPath().getFileName().toString();
    } catch (IOException e) {
      name = path.getFileName().toString();
    }
    int so = name.indexOf(".so.");
    if (so >= 0) {
      return name.substring(so + 4);
    }
    int own = soname.indexOf(".so.");
    return own >= 0 ? soname.substring(own + 4) : "";
  }

  static boolean isCuda(String soname) {
    return soname.startsWith("libcu") || soname.startsWith("libnv") || soname.startsWith("libnccl");
  }

  private static List<String> neededBy(Path library) {
    try {
      return ElfNeeded.of(library);
    } catch (IOException | RuntimeException e) {
      return List.of(); // not an ELF file we can read: its own needs go unchecked
    }
  }
}
