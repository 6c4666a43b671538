package dev.facerender.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The largest resident set this JVM reached while sampling, read from /proc every few milliseconds.
 * The kernel's own high-water mark cannot serve: CPU devices reset it per batch to measure batch
 * peaks. In local mode the driver JVM is also the executor, so this is the run's.
 */
public final class RssSampler implements AutoCloseable {
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final long INTERVAL_MILLIS = 20;

  private final AtomicLong peak = new AtomicLong(-1);
  private final Thread thread;
  private volatile boolean running = true;

  RssSampler() {
    thread = new Thread(this::sample, "facerender-rss");
    thread.setDaemon(true);
    if (Files.isReadable(STATUS)) {
      thread.start();
    }
  }

  private void sample() {
    while (running) {
      long rss = currentRss();
      peak.accumulateAndGet(rss, Math::max);
      try {
        Thread.sleep(INTERVAL_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Bytes, or -1 where /proc is not there. */
  static long currentRss() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** The peak so far, bytes; -1 when unknown. */
  long peakBytes() {
    return peak.get();
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
