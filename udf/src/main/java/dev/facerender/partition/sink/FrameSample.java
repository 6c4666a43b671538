package dev.facerender.partition.sink;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;

/** The frames (by clip and index) the driver wants back for the report. */
public record FrameSample(Map<String, Set<Integer>> wanted) implements Serializable {
  public static final FrameSample NONE = new FrameSample(Map.of());

  public FrameSample {
    wanted = Map.copyOf(wanted);
  }

  public boolean wants(String clipId, int frameIndex) {
    Set<Integer> indexes = wanted.get(clipId);
    return indexes != null && indexes.contains(frameIndex);
  }

  public int size() {
    return wanted.values().stream().mapToInt(Set::size).sum();
  }
}
