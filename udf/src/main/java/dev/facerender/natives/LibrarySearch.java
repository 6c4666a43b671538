package dev.facerender.natives;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Where a library can be: on the dynamic linker's path ({@code LD_LIBRARY_PATH}, then its cache as
 * {@code ldconfig -p} prints it), or in a folder the linker does not search (CUDA toolkits under
 * {@code /usr/local/cuda*}, the NVIDIA pip packages of a PyTorch install: {@code
 * site-packages/nvidia/NAME/lib} of each {@code python3} on PATH).
 */
public record LibrarySearch(
    List<Path> libraryPath, Map<String, Path> linkerCache, List<Path> otherFolders) {
  /** Where {@link #find} found a library; {@code onLinkerPath} says whether it would load. */
  public record Found(Path path, String where, boolean onLinkerPath) {}

  public LibrarySearch {
    libraryPath = List.copyOf(libraryPath);
    linkerCache = Map.copyOf(linkerCache);
    otherFolders = List.copyOf(otherFolders);
  }

  /** This machine's folders and linker cache. */
  public static LibrarySearch ofThisMachine() {
    Map<String, String> env = System.getenv();
    List<Path> other = new ArrayList<>(cudaFolders(Path.of("/usr/local")));
    other.addAll(
        pipFolders(env.getOrDefault("PATH", ""), Path.of(System.getProperty("user.home"))));
    return new LibrarySearch(
        folders(env.getOrDefault("LD_LIBRARY_PATH", "")), readLinkerCache(), other);
  }

  /** The first place {@code soname} is, in the linker's order, else in the other folders. */
  public Found find(String soname) {
    for (Path dir : libraryPath) {
      if (Files.exists(dir.resolve(soname))) {
        return new Found(dir.resolve(soname), "LD_LIBRARY_PATH", true);
      }
    }
    Path cached = linkerCache.get(soname);
    if (cached != null && Files.exists(cached)) {
      return new Found(cached, "linker cache (ldconfig -p)", true);
    }
    for (Path dir : otherFolders) {
      if (Files.exists(dir.resolve(soname))) {
        return new Found(dir.resolve(soname), dir.toString(), false);
      }
    }
    return null;
  }

  static List<Path> folders(String pathList) {
    List<Path> dirs = new ArrayList<>();
    for (String dir : pathList.split(File.pathSeparator)) {
      if (!dir.isBlank()) {
        dirs.add(Path.of(dir));
      }
    }
    return dirs;
  }

  /** {@code ldconfig -p}: soname to path, x86-64 entries (the first of each name wins). */
  static Map<String, Path> parseLinkerCache(String output) {
    Map<String, Path> cache = new LinkedHashMap<>();
    for (String line : output.split("\n")) {
      int arrow = line.indexOf(" => ");
      int paren = line.indexOf(" (");
      if (arrow < 0 || paren < 0 || paren > arrow) {
        continue;
      }
      String flags = line.substring(paren, arrow);
      if (flags.contains("x86-64") || !flags.contains(",")) {
        cache.putIfAbsent(line.substring(0, paren).strip(), Path.of(line.substring(arrow + 4)));
      }
    }
    return cache;
  }

  private static Map<String, Path> readLinkerCache() {
    for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig", "/usr/bin/ldconfig")) {
      if (!Files.isExecutable(Path.of(ldconfig))) {
        continue;
      }
      try {
        Process process = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor(20, TimeUnit.SECONDS) && process.exitValue() == 0) {
          return parseLinkerCache(out);
        }
      } catch (IOException e) {
        return Map.of();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Map.of();
      }
    }
    return Map.of();
  }

  /** The library folders of CUDA toolkits installed under {@code root} ({@code cuda*}). */
  static List<Path> cudaFolders(Path root) {
    List<Path> dirs = new ArrayList<>();
    for (Path toolkit : children(root, "cuda*")) {
      for (String lib : List.of("lib64", "lib", "targets/x86_64-linux/lib", "extras/CUPTI/lib64")) {
        if (Files.isDirectory(toolkit.resolve(lib))) {
          dirs.add(toolkit.resolve(lib));
        }
      }
    }
    return dirs;
  }

  /**
   * {@code nvidia/NAME/lib} under the site-packages of each {@code python3} on {@code path} (its
   * folder's parent is the install's or the virtual environment's prefix; a link is followed to the
   * interpreter's own prefix too) and under the user's own site-packages in {@code home}.
   */
  static List<Path> pipFolders(String path, Path home) {
    Set<Path> prefixes = new LinkedHashSet<>();
    for (Path dir : folders(path)) {
      Path python = dir.resolve("python3");
      if (!Files.isExecutable(python) || dir.getParent() == null) {
        continue;
      }
      prefixes.add(dir.getParent());
      try {
        Path real = python.toRealPath().getParent();
        if (real != null && real.getParent() != null) {
          prefixes.add(real.getParent());
        }
      } catch (IOException e) {
        // a dangling link: its own folder's prefix is still searched
      }
    }
    prefixes.add(home.resolve(".local"));
    Set<Path> dirs = new LinkedHashSet<>();
    for (Path prefix : prefixes) {
      List<Path> libs = new ArrayList<>(children(prefix.resolve("lib"), "python3*"));
      libs.add(prefix.resolve("lib/python3"));
      for (Path lib : libs) {
        for (String packages : List.of("site-packages", "dist-packages")) {
          for (Path pkg : children(lib.resolve(packages).resolve("nvidia"), "*")) {
            if (Files.isDirectory(pkg.resolve("lib"))) {
              dirs.add(pkg.resolve("lib"));
            }
          }
        }
      }
    }
    return List.copyOf(dirs);
  }

  private static List<Path> children(Path dir, String glob) {
    List<Path> found = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return found;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, glob)) {
      entries.forEach(found::add);
    } catch (IOException e) {
      // unreadable: nothing found there
    }
    found.sort(null);
    return found;
  }
}
