package dev.facerender.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * run.json while a run is under way: "running" from the start, updated after every committed wave,
 * "failed" with the reason when anything stops it. The final document of a finished run is {@link
 * RunFiles}'. Every write replaces the file atomically where the file system allows.
 */
public final class RunStatus {
  public static final String FILE = "run.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The run an output folder last saw. */
  record Previous(String runId, String status) {
    boolean succeeded() {
      return "succeeded".equals(status);
    }
  }

  private final OutputFolder out;
  private final String runId;
  private final String attemptId;
  private boolean wroteAnything;
  private final Map<String, Object> waves = new LinkedHashMap<>();
  private final Map<String, Object> head = new LinkedHashMap<>();

  public RunStatus(OutputFolder out, String runId, String attemptId, String mode) {
    this.out = out;
    this.runId = runId;
    this.attemptId = attemptId;
    head.put("run_id", runId);
    head.put("attempt_id", attemptId);
    head.put("mode", mode);
    head.put("started", Instant.now().toString());
  }

  /** The run.json of the last run in {@code out}, or null when there is none. */
  static Previous previous(OutputFolder out) {
    byte[] bytes = out.read(FILE);
    if (bytes == null) {
      return null;
    }
    try {
      JsonNode run = JSON.readTree(bytes);
      return new Previous(run.path("run_id").asText(null), run.path("status").asText("unknown"));
    } catch (IOException e) {
      return new Previous(null, "unreadable");
    }
  }

  public String runId() {
    return runId;
  }

  /** This attempt at the run (a resumed run keeps its run id, each attempt gets its own). */
  public String attemptId() {
    return attemptId;
  }

  /** Whether this attempt has written run.json (and so may have written data). */
  public boolean wroteAnything() {
    return wroteAnything;
  }

  /** Whether a wave of this run was committed, by this attempt or an earlier one. */
  public boolean committedAnything() {
    return waves.get("committed") instanceof Number n && n.intValue() > 0;
  }

  /** Where the waves stand: totals, committed, skipped; shown in run.json. */
  public Map<String, Object> waves() {
    return waves;
  }

  public void running() {
    write("running", null);
  }

  public void failed(String reason) {
    write("failed", reason);
  }

  /** Which device(s) the run renders on and why ({@link dev.facerender.device.DeviceChoice}). */
  public void device(String devices, String reason) {
    head.put("device", devices);
    head.put("device_reason", reason);
  }

  public String device() {
    return (String) head.getOrDefault("device", "");
  }

  public String deviceReason() {
    return (String) head.getOrDefault("device_reason", "");
  }

  /** The fields every run.json of this run starts with. */
  public Map<String, Object> head() {
    return head;
  }

  private void write(String status, String failure) {
    wroteAnything = true;
    Map<String, Object> run = new LinkedHashMap<>(head);
    run.put("status", status);
    if (failure != null) {
      run.put("failure", failure);
    }
    run.put("updated", Instant.now().toString());
    run.put("waves", waves);
    try {
      out.writeAtomically(FILE, JSON.writeValueAsBytes(run));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
