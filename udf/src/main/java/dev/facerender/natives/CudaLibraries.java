package dev.facerender.natives;

import java.io.File;
import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.bytedeco.javacpp.Loader;

/**
 * The CUDA libraries the GPU natives need, by soname, each found (where, which version) or missing
 * with what to install or where to point {@code LD_LIBRARY_PATH}. The sonames come from the dynamic
 * sections of the -gpu jar's {@code libtorch_cuda*.so} and {@code libc10_cuda.so} where that jar is
 * at hand, else from the list below; what each found library needs in turn is checked too (cuSPARSE
 * links nvJitLink), and so is the driver's {@code libcuda.so.1}.
 */
public final class CudaLibraries {
  /** libtorch_cuda's CUDA 13.1 / cuDNN 9 needs (readelf -d, NEEDED) and the driver. */
  static final List<String> KNOWN =
      List.of(
          "libcudart.so.13",
          "libcublas.so.13",
          "libcublasLt.so.13",
          "libcufft.so.12",
          "libcurand.so.10",
          "libcusparse.so.12",
          "libcusolver.so.12",
          "libcudnn.so.9",
          "libnvrtc.so.13",
          "libnvJitLink.so.13",
          "libcusparseLt.so.0",
          "libnccl.so.2",
          "libnvshmem_host.so.3",
          "libcupti.so.13",
          "libcufile.so.0");

  static final String DRIVER = "libcuda.so.1";
  private static final String GPU_FOLDER = "org/bytedeco/pytorch/linux-x86_64-gpu/";

  /** One library: {@code path} is "missing" when it is nowhere; {@code fix} is empty when loads. */
  public record Library(
      String soname, String path, String version, String where, boolean loads, String fix) {}

  /** Every library, where their names came from, and one LD_LIBRARY_PATH that finds them all. */
  public record Report(String neededFrom, List<Library> libraries, String libraryPath) {
    public long missing() {
      return libraries.stream().filter(l -> l.path().equals("missing")).count();
    }

    public boolean allLoad() {
      return libraries.stream().allMatch(Library::loads);
    }
  }

  record Needed(List<String> sonames, String from) {}

  private CudaLibraries() {}

  /** This machine's answer, for the natives on the class path or the -gpu jar beside them. */
  public static Report ofThisMachine() {
    Needed needed = needed();
    return check(needed.sonames(), needed.from(), LibrarySearch.ofThisMachine());
  }

  /** Finds {@code sonames}, the driver, and the CUDA libraries each found one needs. */
  public static Report check(List<String> sonames, String from, LibrarySearch search) {
    Deque<String> queue = new ArrayDeque<>(sonames);
    queue.add(DRIVER);
    Set<String> seen = new LinkedHashSet<>();
    List<Library> libraries = new ArrayList<>();
    Set<String> addDirs = new LinkedHashSet<>();
    while (!queue.isEmpty()) {
      String soname = queue.poll();
      if (!seen.add(soname)) {
        continue;
      }
      LibrarySearch.Found found = search.find(soname);
      if (found == null) {
        libraries.add(new Library(soname, "missing", "", "", false, install(soname)));
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
              found.path().toString(),
              version(soname, found.path()),
              found.where(),
              found.onLinkerPath(),
              fix));
      for (String next : neededBy(found.path())) {
        if (isCuda(next) && !seen.contains(next)) {
          queue.add(next);
        }
      }
    }
    String path = String.join(":", addDirs);
    return new Report(from, libraries, path);
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

  /** The sonames from the GPU natives' own libraries, else {@link #KNOWN}. */
  static Needed needed() {
    Class<?> presets = org.bytedeco.pytorch.presets.torch.class;
    URL onClassPath = presets.getResource("/" + GPU_FOLDER + "libtorch_cuda.so");
    try {
      if (onClassPath != null) {
        URLConnection connection = onClassPath.openConnection();
        if (connection instanceof JarURLConnection jar) {
          return fromJar(jar.getJarFile(), cached(jar.getJarFileURL()));
        }
        if ("file".equals(onClassPath.getProtocol())) {
          return fromFolder(new File(onClassPath.getPath()).toPath().getParent());
        }
      }
      Path beside = gpuJarBeside(presets);
      if (beside != null) {
        try (JarFile jar = new JarFile(beside.toFile())) {
          return fromJar(jar, null);
        }
      }
    } catch (IOException | RuntimeException e) {
      return new Needed(
          KNOWN, "the known list (reading the GPU natives failed: " + e.getMessage() + ")");
    }
    return new Needed(KNOWN, "the known list (no -gpu natives jar here to read)");
  }

  /** JavaCPP's extracted copy of a natives jar's folder, where it has one. */
  private static Path cached(URL jarFile) {
    try {
      Path jar = Path.of(jarFile.toURI());
      Path folder = Loader.getCacheDir().toPath().resolve(jar.getFileName().toString());
      Path natives = folder.resolve(GPU_FOLDER);
      return Files.isRegularFile(natives.resolve("libtorch_cuda.so")) ? natives : null;
    } catch (IOException | RuntimeException | java.net.URISyntaxException e) {
      return null;
    }
  }

  /** The same version's -gpu jar in the local Maven repository, beside the presets' jar. */
  private static Path gpuJarBeside(Class<?> presets) throws IOException {
    if (presets.getProtectionDomain().getCodeSource() == null) {
      return null;
    }
    Path jar;
    try {
      jar = Path.of(presets.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      return null;
    }
    Path dir = jar.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      return null;
    }
    try (var files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith("-linux-x86_64-gpu.jar"))
          .findFirst()
          .orElse(null);
    }
  }

  private static boolean isCudaPart(String name) {
    return name.startsWith("libtorch_cuda") || name.startsWith("libc10_cuda");
  }

  private static Needed fromFolder(Path folder) throws IOException {
    Set<String> names = new LinkedHashSet<>();
    List<String> read = new ArrayList<>();
    try (var files = Files.list(folder)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (isCudaPart(name) && name.endsWith(".so")) {
          ElfNeeded.of(f).stream().filter(CudaLibraries::isCuda).forEach(names::add);
          read.add(name);
        }
      }
    }
    return new Needed(List.copyOf(names), String.join(", ", read) + " in " + folder);
  }

  private static Needed fromJar(JarFile jar, Path extracted) throws IOException {
    if (extracted != null) {
      return fromFolder(extracted);
    }
    Set<String> names = new LinkedHashSet<>();
    List<String> read = new ArrayList<>();
    for (JarEntry entry : jar.stream().toList()) {
      String name = entry.getName();
      if (!name.startsWith(GPU_FOLDER) || name.indexOf('/', GPU_FOLDER.length()) >= 0) {
        continue;
      }
      String file = name.substring(GPU_FOLDER.length());
      if (isCudaPart(file) && file.endsWith(".so")) {
        ElfNeeded.of(() -> jar.getInputStream(entry)).stream()
            .filter(CudaLibraries::isCuda)
            .forEach(names::add);
        read.add(file);
      }
    }
    if (read.isEmpty()) {
      return new Needed(KNOWN, "the known list (" + jar.getName() + " has no libtorch_cuda.so)");
    }
    return new Needed(
        List.copyOf(names),
        read.stream().collect(Collectors.joining(", ")) + " in " + jar.getName());
  }
}
