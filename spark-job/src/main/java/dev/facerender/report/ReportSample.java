package dev.facerender.report;

import dev.facerender.partition.sink.FrameSample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The frames the report shows, chosen before the render from the clips' index ranges, so tasks send
 * them back as they write them: frames spread evenly over each of the first clips (the contact
 * sheet) and the first clip's opening frames (the preview).
 */
public final class ReportSample {
  static final int SAMPLE_CLIPS = 4;
  static final int SHEET_COLUMNS = 6;
  static final int PREVIEW_FRAMES = 48;

  private ReportSample() {}

  /** A clip's first and last valid frame index. */
  public record Span(int first, int last) {}

  /** The frames to sample from clips with valid frames ({@code spans}, by clip id). */
  public static FrameSample choose(Map<String, Span> spans) {
    List<String> clips = spans.keySet().stream().sorted().limit(SAMPLE_CLIPS).toList();
    Map<String, Set<Integer>> wanted = new HashMap<>();
    for (String clip : clips) {
      Span frames = spans.get(clip);
      wanted.put(clip, new TreeSet<>(sheet(frames.first(), frames.last())));
    }
    if (!clips.isEmpty()) {
      String preview = clips.get(0);
      int first = spans.get(preview).first();
      for (int i = 0; i < PREVIEW_FRAMES; i++) {
        wanted.get(preview).add(first + i);
      }
    }
    return new FrameSample(wanted);
  }

  /** Up to {@link #SHEET_COLUMNS} frame indexes spread evenly from first to last. */
  static List<Integer> sheet(int first, int last) {
    TreeSet<Integer> picked = new TreeSet<>();
    for (int k = 0; k < SHEET_COLUMNS; k++) {
      picked.add(first + (int) Math.round(k * (last - first) / (double) (SHEET_COLUMNS - 1)));
    }
    return new ArrayList<>(picked);
  }
}
