package dev.facerender.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.facerender.io.InputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's claim on its output folder: {@value #NAME}, created exclusively with the run id, the host
 * and the process. A second run into the same folder is refused at once; a lock whose process is
 * provably gone (same host, no such process) is taken over, so a killed run can be resumed or
 * appended to. A lock that cannot be read (being written this instant, or damaged) proves nothing
 * about its owner and is never taken over: the user is told which file to delete if its run is
 * really gone. The lock is checked again before every commit, so a run that lost it never
 * publishes.
 */
public final class OutputLock implements AutoCloseable {
  public static final String NAME = "_facerender.lock";
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
  public static OutputLock acquire(OutputFolder out, String runId) {
    byte[] claim = claim(runId);
    if (out.createExclusively(NAME, claim)) {
      return new OutputLock(out, runId);
    }
    byte[] held = out.read(NAME);
    // Null: the holder released it between our try and the read; the folder is free.
    JsonNode holder = held == null ? null : holder(out, held);
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
    if (holder != null) {
      out.delete(NAME);
    }
    if (!out.createExclusively(NAME, claim)) {
      throw new InputException(
          "Output folder " + out + " was claimed by another run just now: choose another --out");
    }
    return new OutputLock(out, runId);
  }

  /** Throws unless this run still holds the folder; called before anything is published. */
  public void check() {
    String owner = owner();
    if (!runId.equals(owner)) {
      throw new IllegalStateException(
          "Run "
              + runId
              + " no longer holds "
              + out
              + " (the lock is "
              + (owner == null ? "gone or unreadable" : "held by run " + owner)
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
    if (runId.equals(owner())) {
      out.delete(NAME);
    }
  }

  /** The run id in the lock file now; null when there is none or it cannot be read. */
  private String owner() {
    byte[] held = out.read(NAME);
    JsonNode holder = held == null ? null : parse(held);
    return holder == null ? null : holder.path("run_id").asText();
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

  /**
   * The claim in {@code bytes}, the lock file of {@code out}; throws when it is not a whole claim
   * (run id, host, pid): who holds the folder cannot be told then, so it is not taken.
   */
  private static JsonNode holder(OutputFolder out, byte[] bytes) {
    JsonNode holder = parse(bytes);
    if (holder == null) {
      throw new InputException(
          "Output folder "
              + out
              + " has a lock file that is not a whole claim ("
              + bytes.length
              + " bytes"
              + (bytes.length == 0 ? "" : ", starting '" + preview(bytes) + "'")
              + "): a run may be writing it this instant, or it was damaged, so who holds the"
              + " folder cannot be told and it is not taken over. Wait and run again; if no run"
              + " is using this folder, delete "
              + out.child(NAME)
              + " and run again.");
    }
    return holder;
  }

  /** The claim in {@code bytes}, or null when it is not JSON with a run id, a host and a pid. */
  private static JsonNode parse(byte[] bytes) {
    JsonNode holder;
    try {
      holder = JSON.readTree(bytes);
    } catch (IOException e) {
      return null;
    }
    boolean whole =
        holder != null
            && holder.path("run_id").isTextual()
            && holder.path("host").isTextual()
            && holder.path("pid").canConvertToLong();
    return whole ? holder : null;
  }

  private static String preview(byte[] bytes) {
    String text = new String(bytes, 0, Math.min(bytes.length, 60), StandardCharsets.UTF_8);
    return text.replaceAll("\\s+", " ").strip();
  }

  /** Whether the holder's process is known to be gone: same host, no such process. */
  private static boolean isGone(JsonNode holder) {
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
