package dev.facerender.partition.input;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.partition.frame.PendingFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoefficientWindowTest {
  private static PendingFrame frame(String clip, int index) {
    // Two coefficients: the position, and the position negated.
    return new PendingFrame(clip, index, new float[] {index, -index}, null);
  }

  @Test
  void aLongClipHoldsAtMostTwoRPlusOneFrames() {
    CoefficientWindow window = new CoefficientWindow(13);
    int[] maxHeld = {0};
    int[] released = {0};
    for (int i = 0; i < 20_000; i++) {
      window.add(
          frame("long", i),
          out -> {
            released[0]++;
            maxHeld[0] = Math.max(maxHeld[0], window.held());
          });
      maxHeld[0] = Math.max(maxHeld[0], window.held());
    }
    window.finish(out -> released[0]++);
    assertThat(maxHeld[0]).isLessThanOrEqualTo(27).isGreaterThanOrEqualTo(26);
    assertThat(released[0]).isEqualTo(20_000);
    assertThat(window.held()).isZero();
  }

  @Test
  void windowsClampToTheClipAtBothEndsAndNeverCrossClips() {
    int radius = 2;
    CoefficientWindow window = new CoefficientWindow(radius);
    List<PendingFrame> out = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      window.add(frame("a", i), out::add);
    }
    for (int i = 0; i < 3; i++) {
      window.add(frame("b", i), out::add);
    }
    window.finish(out::add);
    assertThat(out).hasSize(10);
    for (PendingFrame f : out) {
      int last = f.clipId().equals("a") ? 6 : 2;
      float[] expected = new float[2 * 5];
      for (int k = 0; k < 5; k++) {
        int neighbour = Math.max(0, Math.min(last, f.frameIndex() - radius + k));
        expected[k] = neighbour;
        expected[5 + k] = -neighbour;
      }
      assertThat(f.coeffs()).as("window of %s/%d", f.clipId(), f.frameIndex()).isEqualTo(expected);
    }
    assertThat(out.stream().map(PendingFrame::frameIndex))
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 0, 1, 2);
  }

  @Test
  void radiusZeroPassesFramesThroughUntouched() {
    CoefficientWindow window = new CoefficientWindow(0);
    List<PendingFrame> out = new ArrayList<>();
    PendingFrame f = frame("a", 3);
    window.add(f, out::add);
    assertThat(out).containsExactly(f);
    assertThat(window.held()).isZero();
  }
}
