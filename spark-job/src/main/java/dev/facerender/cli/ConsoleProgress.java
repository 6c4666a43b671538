package dev.facerender.cli;

import dev.facerender.job.ProgressListener;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on the console: frames done, frames/s, ETA. Running tasks report their
 * batches with each executor heartbeat ({@code spark.executor.heartbeatInterval}), so the bar moves
 * while long tasks run, not only when they end.
 */
final class ConsoleProgress implements ProgressListener {
  private static final int WIDTH = 30;
  private final PrintStream out;
  private ScheduledExecutorService timer;
  private long total;
  private long started;
  private LongSupplier done;

  ConsoleProgress(PrintStream out) {
    this.out = out;
  }

  @Override
  public void start(long totalFrames, LongSupplier doneFrames) {
    this.total = totalFrames;
    this.done = doneFrames;
    this.started = System.nanoTime();
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "facerender-progress");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleAtFixedRate(this::print, 1, 1, TimeUnit.SECONDS);
  }

  @Override
  public void stop() {
    if (timer != null) {
      timer.shutdownNow();
      print();
      out.println();
    }
  }

  private void print() {
    long frames = Math.min(total, done.getAsLong());
    double seconds = (System.nanoTime() - started) / 1e9;
    double rate = frames / Math.max(1e-9, seconds);
    int filled = total == 0 ? WIDTH : (int) (WIDTH * frames / total);
    String eta = rate > 0 && frames < total ? formatSeconds((total - frames) / rate) : "--:--";
    out.printf(
        Locale.ROOT,
        "\r[%s%s] %d/%d frames  %.0f frames/s  ETA %s ",
        "#".repeat(filled),
        " ".repeat(WIDTH - filled),
        frames,
        total,
        rate,
        eta);
    out.flush();
  }

  private static String formatSeconds(double seconds) {
    long s = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
