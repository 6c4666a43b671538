package dev.facerender.video;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** 16-bit PCM WAV bytes as the RIFF WAVE spec lays them out, for demo data and tests. */
public final class Wav {
  private Wav() {}

  /** A {@code hz} tone, {@code seconds} long, the same on every channel. */
  public static byte[] tone(int sampleRate, int channels, double seconds, double hz) {
    int samples = (int) Math.round(seconds * sampleRate);
    int dataBytes = samples * channels * 2;
    ByteBuffer out = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    out.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + dataBytes);
    out.put("WAVE".getBytes(StandardCharsets.US_ASCII));
    out.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16);
    out.putShort((short) 1).putShort((short) channels).putInt(sampleRate);
    out.putInt(sampleRate * channels * 2).putShort((short) (channels * 2)).putShort((short) 16);
    out.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(dataBytes);
    for (int i = 0; i < samples; i++) {
      short value = (short) (8000 * Math.sin(2 * Math.PI * hz * i / sampleRate));
      for (int c = 0; c < channels; c++) {
        out.putShort(value);
      }
    }
    return out.array();
  }
}
