package dev.facerender.video;

import static java.util.Objects.requireNonNull;

/**
 * A clip's audio decoded to planar float PCM at a rate AAC takes, at most two channels. Java heap
 * only: nothing native to free. A minute of 48 kHz stereo is 23 MB.
 */
public record ClipAudio(int sampleRate, float[][] channels, String sourceFormat) {
  public ClipAudio {
    requireNonNull(channels, "channels is null");
    requireNonNull(sourceFormat, "sourceFormat is null");
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate must be > 0, got " + sampleRate);
    }
    if (channels.length < 1 || channels.length > 2) {
      throw new IllegalArgumentException("1 or 2 channels, got " + channels.length);
    }
    for (float[] channel : channels) {
      if (channel.length != channels[0].length) {
        throw new IllegalArgumentException("channels differ in length");
      }
    }
  }

  public int samples() {
    return channels[0].length;
  }

  public double seconds() {
    return samples() / (double) sampleRate;
  }

  /** This audio cut or padded with silence to exactly {@code samples} samples. */
  public ClipAudio resized(int samples) {
    float[][] out = new float[channels.length][];
    for (int c = 0; c < channels.length; c++) {
      out[c] = java.util.Arrays.copyOf(channels[c], samples);
    }
    return new ClipAudio(sampleRate, out, sourceFormat);
  }
}
