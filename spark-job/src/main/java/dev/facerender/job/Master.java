package dev.facerender.job;

import static java.util.Objects.requireNonNull;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark master URL, read one way everywhere: in-process local ({@code local}, {@code local[N]},
 * {@code local[*]}, with or without {@code ,F} task failures allowed) or not (a cluster, {@code
 * local-cluster[...]} included: its executors are separate processes).
 */
public record Master(String url) {
  private static final Pattern LOCAL =
      Pattern.compile("local(?:\\[\\s*(\\d+|\\*)\\s*(?:,\\s*(\\d+)\\s*)?\\])?");

  public Master {
    requireNonNull(url, "url is null");
  }

  public static Master of(String url) {
    return new Master(url.strip());
  }

  /** Whether the tasks run in this JVM. */
  public boolean local() {
    return LOCAL.matcher(url).matches();
  }

  /** Task threads of a local master on a machine of {@code cores}; -1 for any other master. */
  public int localThreads(int cores) {
    Matcher m = LOCAL.matcher(url);
    if (!m.matches()) {
      return -1;
    }
    if (m.group(1) == null) {
      return 1;
    }
    return m.group(1).equals("*") ? cores : Math.max(1, Integer.parseInt(m.group(1)));
  }

  /** Whether a local master retries failed tasks ({@code local[N,F]} with F above 1). */
  public boolean retriesTasks() {
    Matcher m = LOCAL.matcher(url);
    return m.matches() && m.group(2) != null && Integer.parseInt(m.group(2)) > 1;
  }

  @Override
  public String toString() {
    return url;
  }
}
