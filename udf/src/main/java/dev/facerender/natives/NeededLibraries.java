package dev.facerender.natives;

import java.io.File;
import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.bytedeco.javacpp.Loader;

/**
 * The CUDA libraries the GPU natives link, soname to the library that links it, and where that was
 * read: the dynamic sections of the -gpu jar's CUDA parts ({@code libtorch_cuda*.so}, {@code
 * libc10_cuda.so}, the JNI wrappers) from the natives on the class path (their extracted copies
 * where JavaCPP has them) or the same version's -gpu jar in the local Maven repository; else {@link
 * #KNOWN}.
 */
record NeededLibraries(Map<String, String> sonames, String from) {
  private static final String GPU_FOLDER = "org/bytedeco/pytorch/linux-x86_64-gpu/";

  /**
   * What the -gpu natives (2.10.0-1.5.13: CUDA 13.1, cuDNN 9) link, read with {@code readelf -d}
   * from libtorch_cuda.so, libtorch_cuda_linalg.so (cuSOLVER), libc10_cuda.so, libjnitorch_cuda.so
   * (cuDNN's parts) and libjnitorch_nccl.so; for when that jar cannot be read here.
   */
  static final List<String> KNOWN =
      List.of(
          "libcudart.so.13",
          "libcublas.so.13",
          "libcublasLt.so.13",
          "libcufft.so.12",
          "libcurand.so.10",
          "libcusparse.so.12",
          "libcusolver.so.12",
          "libcufile.so.0",
          "libcudnn.so.9",
          "libcudnn_graph.so.9",
          "libcudnn_ops.so.9",
          "libcudnn_cnn.so.9",
          "libcudnn_adv.so.9",
          "libnccl.so.2");

  /** {@link #KNOWN}, each needed by the natives (the known list's word). */
  static Map<String, String> known() {
    Map<String, String> known = new LinkedHashMap<>();
    KNOWN.forEach(s -> known.put(s, "the -gpu natives (known list)"));
    return known;
  }

  /** The sonames from the GPU natives' own libraries, else {@link #KNOWN}. */
  static NeededLibraries ofGpuNatives() {
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
      return new NeededLibraries(
          known(), "the known list (reading the GPU natives failed: " + e.getMessage() + ")");
    }
    return new NeededLibraries(known(), "the known list (no -gpu natives jar here to read)");
  }

  /** JavaCPP's extracted copy of a natives jar's GPU folder (its files may be a part only). */
  private static Path cached(URL jarFile) {
    try {
      Path jar = Path.of(jarFile.toURI());
      Path natives =
          Loader.getCacheDir().toPath().resolve(jar.getFileName().toString()).resolve(GPU_FOLDER);
      return Files.isDirectory(natives) ? natives : null;
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

  /** libtorch's CUDA libraries and their JNI wrappers: what links the CUDA libraries. */
  private static boolean isCudaPart(String name) {
    return name.startsWith("libtorch_cuda")
        || name.startsWith("libc10_cuda")
        || name.startsWith("libjnitorch_cuda")
        || name.startsWith("libjnitorch_nccl");
  }

  private static NeededLibraries fromFolder(Path folder) throws IOException {
    Map<String, String> names = new LinkedHashMap<>();
    List<String> read = new ArrayList<>();
    try (var files = Files.list(folder)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (isCudaPart(name) && name.endsWith(".so")) {
          ElfNeeded.of(f).stream()
              .filter(CudaLibraries::isCuda)
              .forEach(n -> names.putIfAbsent(n, name));
          read.add(name);
        }
      }
    }
    return new NeededLibraries(names, String.join(", ", read) + " in " + folder);
  }

  /** Reads each CUDA part of {@code jar}: from its extracted copy when there is one (faster). */
  private static NeededLibraries fromJar(JarFile jar, Path extracted) throws IOException {
    Map<String, String> names = new LinkedHashMap<>();
    List<String> read = new ArrayList<>();
    for (JarEntry entry : jar.stream().sorted(Comparator.comparing(JarEntry::getName)).toList()) {
      String name = entry.getName();
      if (!name.startsWith(GPU_FOLDER) || name.indexOf('/', GPU_FOLDER.length()) >= 0) {
        continue;
      }
      String file = name.substring(GPU_FOLDER.length());
      if (isCudaPart(file) && file.endsWith(".so")) {
        Path copy = extracted == null ? null : extracted.resolve(file);
        List<String> needed =
            copy != null && Files.isRegularFile(copy) && Files.size(copy) == entry.getSize()
                ? ElfNeeded.of(copy)
                : ElfNeeded.of(() -> jar.getInputStream(entry));
        needed.stream().filter(CudaLibraries::isCuda).forEach(n -> names.putIfAbsent(n, file));
        read.add(file);
      }
    }
    if (read.isEmpty()) {
      return new NeededLibraries(
          known(), "the known list (" + jar.getName() + " has no libtorch_cuda.so)");
    }
    return new NeededLibraries(
        names, read.stream().collect(Collectors.joining(", ")) + " in " + jar.getName());
  }
}
