package dev.facerender.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes written like {@code 16GiB}, {@code 512MB}, {@code 1.5g} or a plain byte count. */
public final class DataSize {
  private static final Pattern SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(i?b?)", Pattern.CASE_INSENSITIVE);

  private DataSize() {}

  public static long parse(String text) {
    Matcher m = SIZE.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a size like 16GiB or 512MB: '" + text + "'");
    }
    double number = Double.parseDouble(m.group(1));
    int power = "kmgt".indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1;
    return (long) (number * Math.pow(1024, power));
  }

  public static String format(long bytes) {
    if (bytes < 0) {
      return "n/a";
    }
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.2f %s", value, units[unit]);
  }
}
