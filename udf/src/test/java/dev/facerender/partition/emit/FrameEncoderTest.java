package dev.facerender.partition.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.codec.RgbImage;
import dev.facerender.config.OutputFormat;
import dev.facerender.partition.frame.ClipSource;
import dev.facerender.partition.frame.PendingFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameEncoderTest {
  private static final int SIZE = 32;

  @Test
  void helpersEncodeTheSameBytesInTheSameOrderAsTheTaskThreadAlone() {
    ClipSource source =
        new ClipSource("a", new RgbImage(SIZE, SIZE, new byte[SIZE * SIZE * 3]), null);
    List<PendingFrame> frames = new ArrayList<>();
    List<byte[]> pixels = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      frames.add(new PendingFrame("a", i, new float[0], source));
      byte[] frame = new byte[SIZE * SIZE * 3];
      java.util.Arrays.fill(frame, (byte) (i * 30));
      pixels.add(i == 3 ? null : frame); // a frame the model rejected
    }
    List<byte[]> alone = new FrameEncoder(OutputFormat.PNG, 1, 0.9).encode(frames, pixels);

    List<byte[]> shared;
    try (EncoderPool helpers = EncoderPool.of(3)) {
      FrameEncoder encoder =
          new FrameEncoder(OutputFormat.PNG, 1, 0.9, helpers.executor(), helpers.threads());
      shared = encoder.encode(frames, pixels);
    }

    assertThat(shared).hasSize(7);
    assertThat(shared.get(3)).isNull();
    for (int i = 0; i < 7; i++) {
      assertThat(shared.get(i)).as("frame %d", i).isEqualTo(alone.get(i));
    }
    assertThat(alone.get(0)).isNotEqualTo(alone.get(1));
  }

  @Test
  void noHelpersAreMadeForLessThanOneThread() {
    assertThat(EncoderPool.of(0)).isNull();
  }
}
