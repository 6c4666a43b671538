package dev.facerender.job;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a run's wall time went, phase by phase, in the order they ran: what run.json reports so a
 * slow run says which part was slow. The first entry is the process's life before the run began
 * (JVM start, class loading, the Spark session).
 */
public final class Phases {
  private final Map<String, Double> seconds = new LinkedHashMap<>();
  private long mark = System.nanoTime();

  public Phases() {
    seconds.put("before_run", ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);
  }

  /** Ends the phase running since the last call under {@code name}. */
  public void end(String name) {
    long now = System.nanoTime();
    seconds.merge(name, (now - mark) / 1e9, Double::sum);
    mark = now;
  }

  /** In run order. */
  public Map<String, Double> ordered() {
    return new LinkedHashMap<>(seconds);
  }
}
