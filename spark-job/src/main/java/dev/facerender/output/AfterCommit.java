package dev.facerender.output;

import dev.facerender.job.Failures;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of a run after its output is committed that only describe or tidy it: the metrics
 * digest, the sample of rejected rows, report.html, metrics.json, removing staging and the lock.
 * Each is best effort: a failure (anything but the JVM's own errors, {@link Failures#isFatal}) is
 * logged with its reason and remembered for run.json, and the run keeps the outcome its checks gave
 * it. What decides that outcome (the exactly-once check, the error rate, run.json itself and the
 * {@code _SUCCESS} markers) is not run through here.
 */
public final class AfterCommit {
  private static final Logger LOG = LoggerFactory.getLogger(AfterCommit.class);

  /** A step that may throw anything. */
  public interface Step<T> {
    T run() throws Exception;
  }

  private final Map<String, String> failures = new LinkedHashMap<>();

  /**
   * {@code step}'s value; when it fails, {@code fallback} of the reason, and the reason is kept
   * under {@code name} ({@link #failure}).
   */
  public <T> T attempt(String name, Step<T> step, Function<String, T> fallback) {
    try {
      return step.run();
    } catch (Exception | Error e) {
      String reason = reason(name, e);
      failures.put(name, reason);
      return fallback.apply(reason);
    }
  }

  /** Why {@code name} failed, or null when it did not (or did not run). */
  String failure(String name) {
    return failures.get(name);
  }

  /** Runs {@code step}, a tidy-up whose failure leaves debris a later run removes, and logs it. */
  public static void tidy(String name, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException | Error e) {
      reason(name, e);
    }
  }

  /** The reason {@code name} failed, logged; rethrows the JVM's own errors. */
  private static String reason(String name, Throwable e) {
    if (Failures.isFatal(e)) {
      throw (Error) e;
    }
    String problem = Failures.outputProblem(e);
    String reason = problem != null ? problem : Failures.describe(e);
    LOG.warn(
        "{} failed after the run's output was committed; the run keeps its outcome: {}",
        name,
        reason,
        e);
    return reason;
  }
}
