package dev.facerender.natives;

import java.io.File;
import java.net.URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.bytedeco.javacpp.ClassProperties;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the libtorch libraries this build bundles, each after the ones it links, before JavaCPP
 * loads the PyTorch presets, so that only the bundled copies end up in the process whatever other
 * libtorch the machine has.
 *
 * <p>Why: the 1.5.13 presets load {@code c10, torch, torch_cpu} in that order, and the GPU build's
 * {@code c10_cuda, torch_cuda} even earlier, as preloads. But {@code libtorch.so} links {@code
 * libtorch_cpu.so} (and {@code libtorch_cuda.so}), which link {@code libc10.so} ({@code readelf
 * -d}, NEEDED). Loading a library before the ones it links leaves them to the dynamic linker's
 * search: {@code LD_LIBRARY_PATH} first, then the library's own directory, then the system's cache.
 * On a first start the JavaCPP cache does not hold {@code libtorch_cpu.so} yet, so a machine with
 * Debian's python3-torch got the system's 1.13 {@code libtorch_cpu.so} beside the bundled 2.10
 * {@code libc10.so} and crashed in its static initialisers; a {@code libtorch_cpu.so} on {@code
 * LD_LIBRARY_PATH} wins even with a full cache. Libraries loaded by absolute path in link order are
 * found already loaded (by their SONAME) whenever a later one names them.
 *
 * <p>Call {@link #load()} before the first use of any {@code org.bytedeco.pytorch} class: the model
 * loaders, device selection and thread setup do.
 */
public final class TorchNatives {
  private static final Logger LOG = LoggerFactory.getLogger(TorchNatives.class);

  /** libtorch's own libraries, each linking only earlier ones; the CPU build lacks the CUDA two. */
  static final List<String> LINK_ORDER =
      List.of("c10", "c10_cuda", "torch_cpu", "torch_cuda", "torch");

  private static final String BUNDLED = "org/bytedeco/pytorch/";

  // Process fact: native libraries load once per process and never unload.
  private static volatile List<String> loaded;

  private TorchNatives() {}

  /**
   * Loads the bundled libtorch once per JVM (later calls return at once) and returns the files
   * loaded, in order; empty where JavaCPP is told not to load libraries.
   */
  public static List<String> load() {
    List<String> known = loaded;
    if (known != null) {
      return known;
    }
    synchronized (TorchNatives.class) {
      if (loaded == null) {
        loaded = Loader.isLoadLibraries() ? List.copyOf(loadInLinkOrder()) : List.of();
      }
      return loaded;
    }
  }

  private static List<String> loadInLinkOrder() {
    // libtorch_cpu links OpenBLAS: its presets load it and what it links, in order.
    Loader.load(org.bytedeco.openblas.global.openblas.class);
    // The presets class, not global.torch: initialising that would start JavaCPP's own loading.
    Class<?> presets = org.bytedeco.pytorch.presets.torch.class;
    ClassProperties properties = Loader.loadProperties(presets, Loader.loadProperties(), true);
    List<String> files = new ArrayList<>();
    // What the natives jar holds: a build without libtorch_cuda has no use for the CUDA libraries
    // the presets preload for the GPU build (found on a machine with a CUDA toolkit, they would be
    // loaded for nothing, and each one missing costs a class path search).
    Set<String> bundled =
        FoundLibraries.besides(
            presets.getResource(
                "/" + BUNDLED + properties.getProperty("platform") + "/libjnitorch.so"));
    boolean withoutCuda =
        !bundled.isEmpty() && bundled.stream().noneMatch(f -> f.startsWith("libtorch_cuda."));
    // Everything the presets preload first (OpenMP, and the CUDA libraries for the GPU build), as
    // JavaCPP would: the bundled copy or one on the presets' preload paths.
    for (String preload : properties.get("platform.preload")) {
      if (LINK_ORDER.contains(preload)) {
        continue;
      }
      if (withoutCuda && FoundLibraries.get(preload) == null && !isBundled(preload, bundled)) {
        FoundLibraries.put(preload, new URL[0]); // JavaCPP's own loading skips it too
        continue;
      }
      load(presets, properties, preload, false, files);
    }
    for (String library : LINK_ORDER) {
      load(presets, properties, library, true, files);
    }
    LOG.debug("Bundled libtorch loaded in link order: {}", files);
    return files;
  }

  /** Whether the natives jar holds {@code preload} ({@code name@.version}, as the presets say). */
  private static boolean isBundled(String preload, Set<String> bundled) {
    String name = "lib" + preload.split("[@#]")[0] + ".so";
    return bundled.stream().anyMatch(f -> f.equals(name) || f.startsWith(name + "."));
  }

  private static void load(
      Class<?> presets,
      ClassProperties properties,
      String library,
      boolean bundledOnly,
      List<String> files) {
    // Bundled resources first, then the presets' preload paths; never java.library.path. What an
    // earlier search found (JavaCPP's, for the OpenBLAS presets) is not searched again.
    URL[] urls = FoundLibraries.get(library);
    if (urls == null) {
      urls = Loader.findLibrary(presets, properties, library, false);
      FoundLibraries.put(library, urls);
    }
    if (bundledOnly) {
      urls = Arrays.stream(urls).filter(u -> u.toString().contains(BUNDLED)).toArray(URL[]::new);
    }
    if (urls.length == 0) {
      // Not in this build (the CPU build has no c10_cuda) or found only on the system: JavaCPP
      // decides about those, as it always has.
      return;
    }
    try {
      String file = Loader.loadLibrary(presets, urls, library, files.toArray(String[]::new));
      if (file != null && new File(file).isFile()) {
        files.add(file);
      }
    } catch (UnsatisfiedLinkError e) {
      if (bundledOnly) {
        throw e;
      }
      // JavaCPP treats a failed preload as optional too.
      LOG.debug("Optional native library {} did not load: {}", library, e.getMessage());
    }
  }
}
