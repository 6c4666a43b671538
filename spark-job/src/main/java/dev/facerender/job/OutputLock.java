package dev.facerender.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.facerender.io.InputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's claim on its output folder: {@value #NAME}, created exclusively with the run id, the host
 * and the process. A second run into the same folder is refused at once; a lock whose process is
 * gone (same host, no such process) is taken over, so a killed run can be resumed or appended to.
 * The lock is checked again before every commit, so a run that lost it never publishes.
 */
final class OutputLock implements AutoCloseable {
  static final String NAME = "_facerender.lock";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OutputFolder out;
  private final String runId;
  private boolean released;

  private OutputLock(OutputFolder out, String runId) {
    this.out = out;
    this.runId = runId;
  }

  /**
   * Claims {@code out} for {@code runId}, or throws an {@link InputException} saying who has it.
   */
  static OutputLock acquire(OutputFolder out, String runId) {
    byte[] claim = claim(runId);
    if (out.createExclusively(NAME, claim)) {
      return new OutputLock(out, runId);
    }
    JsonNode holder = holder(out);
    if (holder != null && !isGone(holder)) {
      throw new InputException(
          "Output folder "
              + out
              + " is in use by run "
              + holder.path("run_id").asText("?")
              + " (process "
              + holder.path("pid").asText("?")
              + " on "
              + holder.path("host").asText("?")
              + ", started "
              + holder.path("started").asText("?")
              + "): wait for it to finish or choose another --out. If that run is dead on"
              + " another machine, delete "
              + out.child(NAME)
              + " and run again.");
    }
    // The holder's process is gone: take its place. Two runs taking over at once both pass here;
    // the one whose claim is not on disk at its first commit check stops there.
    out.delete(NAME);
    if (!out.createExclusively(NAME, claim)) {
      throw new InputException(
          "Output folder " + out + " was claimed by another run just now: choose another --out");
    }
    return new OutputLock(out, runId);
  }

  /** Throws unless this run still holds the folder; called before anything is published. */
  void check() {
    JsonNode holder = holder(out);
    String owner = holder == null ? null : holder.path("run_id").asText(null);
    if (!runId.equals(owner)) {
      throw new IllegalStateException(
          "Run "
              + runId
              + " no longer holds "
              + out
              + " (the lock is "
              + (owner == null ? "gone" : "held by run " + owner)
              + "): nothing more is published by this run.");
    }
  }

  /** Releases the folder if this run still holds it. Idempotent. */
  @Override
  public void close() {
    if (released) {
      return;
    }
    released = true;
    JsonNode holder = holder(out);
    if (holder != null && runId.equals(holder.path("run_id").asText(null))) {
      out.delete(NAME);
    }
  }

  private static byte[] claim(String runId) {
    Map<String, Object> claim = new LinkedHashMap<>();
    claim.put("run_id", runId);
    claim.put("host", host());
    claim.put("pid", ProcessHandle.current().pid());
    claim.put("started", Instant.now().toString());
    try {
      return JSON.writeValueAsBytes(claim);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode holder(OutputFolder out) {
    byte[] bytes = out.read(NAME);
    if (bytes == null) {
      return null;
    }
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      // A lock torn by a crash while it was written: its process cannot be told, treat as gone.
      return JSON.createObjectNode();
    }
  }

  /** Whether the holder's process is known to be gone: same host, no such process. */
  private static boolean isGone(JsonNode holder) {
    if (!holder.has("pid")) {
      return true;
    }
    if (!host().equals(holder.path("host").asText())) {
      return false;
    }
    return ProcessHandle.of(holder.path("pid").asLong())
        .map(process -> !process.isAlive())
        .orElse(true);
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }
}
