package dev.facerender.video;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;

/**
 * How clips are encoded: the frame rate, the H.264 encoder ({@code auto} picks from what the
 * machine has), constant quality {@code crf} (0-51, lower is better) unless {@code bitrate}
 * (bits/s) is set, the speed preset, and how audio whose length differs from the video's is
 * treated.
 */
public record VideoOptions(
    FrameRate fps,
    String encoder,
    int crf,
    long bitrate,
    String preset,
    double audioToleranceFrames,
    AudioFit audioFit)
    implements Serializable {
  public VideoOptions {
    requireNonNull(fps, "fps is null");
    requireNonNull(encoder, "encoder is null");
    requireNonNull(preset, "preset is null");
    requireNonNull(audioFit, "audioFit is null");
    if (crf < 0 || crf > 51) {
      throw new IllegalArgumentException("crf must be in [0, 51], got " + crf);
    }
    if (bitrate < 0) {
      throw new IllegalArgumentException("bitrate must be >= 0, got " + bitrate);
    }
    if (audioToleranceFrames < 0) {
      throw new IllegalArgumentException(
          "audio tolerance must be >= 0, got " + audioToleranceFrames);
    }
  }

  /** Seconds audio and video may differ by before {@link #audioFit} applies. */
  public double audioToleranceSeconds() {
    return fps.seconds(1) * audioToleranceFrames;
  }
}
