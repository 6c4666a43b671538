package dev.facerender.output;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run's record in its output folder, {@code _runs/<run id>/}: {@code input.json} (the input's
 * fingerprint and the wave count, written before any wave) and one {@code wave-NNNNN.json} per
 * committed wave (its clips and row counts, and the files it moved into the tables). Writing a
 * wave's record is the wave's commit point: a wave with a record is moved into the tables, by this
 * run or, after a crash, by the run that resumes it; a wave without one is debris. A video export
 * commits the same way, as one wave that adds only videos ({@link #commitVideos}).
 */
public final class RunManifest {
  public static final String RUNS = "_runs";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** What a run was started on. */
  public record Input(
      String runId,
      int waves,
      long inputFrames,
      InputFingerprint frames,
      InputFingerprint sources) {
    public Input {
      requireNonNull(runId, "runId is null");
      requireNonNull(frames, "frames is null");
      requireNonNull(sources, "sources is null");
      if (waves < 1) {
        throw new IllegalArgumentException("waves must be >= 1, got " + waves);
      }
    }
  }

  /** A staged file and where the commit moves it. */
  public record Move(String from, String to) {
    public Move {
      requireNonNull(from, "from is null");
      requireNonNull(to, "to is null");
    }
  }

  /**
   * One committed wave: its clips, frames and error rows (and frames among them), its videos (one
   * MP4 per clip with frames, 0 without video; each is among the moves), its files.
   */
  public record Wave(
      int wave,
      long clips,
      long frames,
      long errorRows,
      long errorFrames,
      long videos,
      List<Move> moves) {
    public Wave {
      moves = List.copyOf(moves);
    }
  }

  private final OutputFolder out;
  private final String runId;

  public RunManifest(OutputFolder out, String runId) {
    this.out = requireNonNull(out, "out is null");
    this.runId = requireNonNull(runId, "runId is null");
  }

  public void writeInput(Input input) {
    write("input.json", input);
  }

  /** The run's input record, or null when it never got that far. */
  public Input input() {
    return read("input.json", Input.class);
  }

  /** Committed waves by index. */
  public Map<Integer, Wave> waves() {
    Map<Integer, Wave> waves = new TreeMap<>();
    for (String name : out.list(dir())) {
      if (name.startsWith("wave-") && name.endsWith(".json")) {
        Wave wave = read(name, Wave.class);
        waves.put(wave.wave(), wave);
      }
    }
    return waves;
  }

  /**
   * Commits wave {@code wave} of an export: {@code videos} MP4s of {@code clips} clips and the
   * manifest's files, no frame or error rows.
   */
  public void commitVideos(int wave, long clips, long videos, List<Move> moves) {
    commit(new Wave(wave, clips, 0, 0, 0, videos, moves));
  }

  /** Moves what this run's committed waves staged and did not move before a crash; idempotent. */
  public void publishCommitted() {
    waves().values().forEach(this::publish);
  }

  /** The ids of the runs (and exports) with a record in {@code out}. */
  public static List<String> runIds(OutputFolder out) {
    return out.list(RUNS);
  }

  /** Commits {@code wave}: its record first, then its files into the tables. */
  public void commit(Wave wave) {
    write(String.format("wave-%05d.json", wave.wave()), wave);
    publish(wave);
  }

  /** Moves what a committed wave staged and has not moved yet; idempotent after a crash. */
  void publish(Wave wave) {
    for (Move move : wave.moves()) {
      if (out.exists(move.from())) {
        if (out.exists(move.to())) {
          // A rename would replace it on most file systems: a committed file silently lost.
          throw new IllegalStateException(
              "Wave "
                  + wave.wave()
                  + " of run "
                  + runId
                  + " would replace "
                  + move.to()
                  + " in "
                  + out
                  + " with "
                  + move.from()
                  + ": two staged files share a name. This is a bug; the wave was not moved.");
        }
        out.rename(move.from(), move.to());
      } else if (!out.exists(move.to())) {
        throw new IllegalStateException(
            "Committed wave "
                + wave.wave()
                + " of run "
                + runId
                + " lost "
                + move.to()
                + ": the output in "
                + out
                + " is incomplete; start over with --mode overwrite.");
      }
    }
  }

  private String dir() {
    return RUNS + "/" + runId;
  }

  private void write(String name, Object value) {
    try {
      out.writeAtomically(dir() + "/" + name, JSON.writeValueAsBytes(value));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private <T> T read(String name, Class<T> type) {
    byte[] bytes = out.read(dir() + "/" + name);
    if (bytes == null) {
      return null;
    }
    try {
      return JSON.readValue(bytes, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
