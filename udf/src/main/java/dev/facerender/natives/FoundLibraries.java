package dev.facerender.natives;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.bytedeco.javacpp.Loader;

/**
 * Where libraries were found, shared with JavaCPP. Finding a library the class path lacks walks
 * every jar four times (once per parent package): ~30 ms each with Spark's 200 jars on the class
 * path, ~1 s for the presets' 36 preloads, paid once by {@link TorchNatives} and again when the
 * presets load themselves. Results go into JavaCPP's own memo ({@code Loader.foundLibraries}, read
 * by its loading before it searches; package-private, so reached by reflection: where it is
 * missing, JavaCPP searches as before).
 */
final class FoundLibraries {
  // Process fact: the class path and the files on it do not change while the JVM runs.
  private static final Map<String, URL[]> MEMO = memo();

  private FoundLibraries() {}

  /** JavaCPP's result for {@code library} (as the presets name it), or null when not searched. */
  static URL[] get(String library) {
    if (MEMO == null) {
      return null;
    }
    synchronized (Loader.class) {
      return MEMO.get(library);
    }
  }

  /** Records {@code urls} (empty: nothing to load) for {@code library}. */
  static void put(String library, URL[] urls) {
    if (MEMO != null) {
      synchronized (Loader.class) {
        MEMO.put(library, urls);
      }
    }
  }

  /**
   * The file names in the folder that holds {@code anchor} (a resource of the presets' natives jar,
   * or of an unpacked folder), or an empty set when it cannot be listed.
   */
  static Set<String> besides(URL anchor) {
    Set<String> names = new HashSet<>();
    if (anchor == null) {
      return names;
    }
    try {
      URLConnection connection = anchor.openConnection();
      if (connection instanceof JarURLConnection jar) {
        String entry = jar.getEntryName();
        String folder = entry.substring(0, entry.lastIndexOf('/') + 1);
        JarFile file = jar.getJarFile();
        for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
          String name = entries.nextElement().getName();
          if (name.startsWith(folder) && name.indexOf('/', folder.length()) < 0) {
            names.add(name.substring(folder.length()));
          }
        }
      } else if ("file".equals(anchor.getProtocol())) {
        String[] files = new File(anchor.getPath()).getParentFile().list();
        if (files != null) {
          names.addAll(Set.of(files));
        }
      }
    } catch (IOException | RuntimeException e) {
      names.clear(); // unknown: callers then search as JavaCPP does
    }
    return names;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, URL[]> memo() {
    try {
      Field field = Loader.class.getDeclaredField("foundLibraries");
      field.setAccessible(true);
      return (Map<String, URL[]>) field.get(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
