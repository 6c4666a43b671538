package dev.facerender.report;

import dev.facerender.job.Failures;
import java.awt.Font;
import java.awt.FontFormatException;
import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * The font every picture of a report writes text in: DejaVu Sans, shipped in the jar beside its
 * license ({@code DejaVuSans-LICENSE.txt}), so charts and contact sheets read the same on every
 * machine and need no font installed. Callers ask for it by style and size; no picture may use a
 * logical font ({@code SansSerif}, {@code Dialog}), which needs the system's fonts.
 */
public final class ReportFont {
  static final String RESOURCE = "DejaVuSans.ttf";
  static final String LICENSE = "DejaVuSans-LICENSE.txt";

  /** The JDK's setting for the font configuration file its font manager starts from. */
  static final String FONT_CONFIGURATION = "sun.awt.fontconfig";

  private static final String[] LOGICAL = {
    "serif", "sansserif", "monospaced", "dialog", "dialoginput"
  };
  private static final String[] STYLES = {"plain", "bold", "italic", "bolditalic"};

  // Process fact: the jar's font, registered with the JVM's graphics environment once.
  private static Font base;

  static {
    Headless.ensure();
  }

  private ReportFont() {}

  /**
   * The shipped font in {@code style} ({@link Font#PLAIN}, {@link Font#BOLD}...) at {@code size}.
   */
  public static Font of(int style, float size) {
    return base().deriveFont(style, size);
  }

  /** The shipped font in {@code font}'s style and size: a chart theme's font, made ours. */
  public static Font like(Font font) {
    return of(font.getStyle(), font.getSize2D());
  }

  /**
   * The font at 1 point, loaded once. A failure is thrown to each caller (and loading is tried
   * again), with what the JDK said.
   */
  static synchronized Font base() {
    if (base == null) {
      base = load();
    }
    return base;
  }

  private static Font load() {
    Path file = extract();
    try {
      return register(create(file));
    } catch (IOException | FontFormatException | RuntimeException | Error first) {
      if (Failures.isFatal(first)) {
        throw (Error) first;
      }
      // The JDK's font manager starts from the system's font configuration (fontconfig) and, on a
      // machine without fonts, fails before it reads any font, ours too ("Fontconfig head is
      // null", "No physical fonts found"). Pointed at a configuration naming only the shipped font,
      // it starts; it tries again on each use until it has started.
      if (System.getProperty(FONT_CONFIGURATION) != null) {
        throw failed(first, file);
      }
      try {
        System.setProperty(FONT_CONFIGURATION, configuration(file).toString());
        return register(create(file));
      } catch (IOException | FontFormatException | RuntimeException | Error second) {
        if (Failures.isFatal(second)) {
          throw (Error) second;
        }
        second.addSuppressed(first);
        throw failed(second, file);
      }
    }
  }

  private static Font register(Font font) {
    // Registered, the family resolves by name too ("DejaVu Sans"); drawing needs only the object,
    // so a refusal changes nothing the report draws.
    try {
      GraphicsEnvironment.getLocalGraphicsEnvironment().registerFont(font);
    } catch (RuntimeException | Error e) {
      if (Failures.isFatal(e)) {
        throw e;
      }
    }
    return font;
  }

  private static Font create(Path file) throws IOException, FontFormatException {
    // From a file, not a stream: createFont(InputStream) replaces the JDK's reason with "Problem
    // reading font data."
    return Font.createFont(Font.TRUETYPE_FONT, file.toFile());
  }

  private static IllegalStateException failed(Throwable cause, Path file) {
    return new IllegalStateException(
        "The report's font ("
            + file
            + ", DejaVu Sans from the jar) could not be loaded: "
            + Failures.describe(cause)
            + (System.getProperty(FONT_CONFIGURATION) != null
                ? " (with -D"
                    + FONT_CONFIGURATION
                    + "="
                    + System.getProperty(FONT_CONFIGURATION)
                    + ")"
                : ""),
        cause);
  }

  /** The shipped font as a file: the JDK reads fonts from files, lazily, while they are in use. */
  private static Path extract() {
    try (InputStream in = ReportFont.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            RESOURCE + " is missing from the class path beside " + ReportFont.class.getName());
      }
      Path dir = Files.createTempDirectory("facerender-font");
      Path file = dir.resolve(RESOURCE);
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      dir.toFile().deleteOnExit();
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not copy the report's font to a temporary file", e);
    }
  }

  /**
   * A font configuration in the JDK's fontconfig.properties format that maps every logical font and
   * style to {@code file}.
   */
  static Path configuration(Path file) throws IOException {
    Properties config = new Properties();
    config.setProperty("version", "1");
    config.setProperty("sequence.allfonts", "latin-1");
    for (String logical : LOGICAL) {
      for (String style : STYLES) {
        config.setProperty(logical + "." + style + ".latin-1", "DejaVu Sans");
      }
    }
    config.setProperty("filename.DejaVu_Sans", file.toString());
    Path path = file.resolveSibling("fontconfig.properties");
    try (OutputStream out = Files.newOutputStream(path)) {
      config.store(out, "Facerender: the report's font for a machine without fonts");
    }
    path.toFile().deleteOnExit();
    return path;
  }
}
