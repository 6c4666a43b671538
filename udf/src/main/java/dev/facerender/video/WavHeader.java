package dev.facerender.video;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Checks a RIFF/WAVE header before FFmpeg sees the bytes: FFmpeg quietly decodes a truncated WAV as
 * a shorter one and reports a 0 Hz header only as a generic failure, while a user needs to know
 * which it was. Layout from the RIFF WAVE spec (Microsoft/IBM 1991): "RIFF" size "WAVE", then
 * chunks of id, little-endian size and data (padded to even length); "fmt " holds format, channels,
 * sample rate, byte rate, block align and bits per sample; "data" holds the samples.
 */
final class WavHeader {
  private WavHeader() {}

  static boolean isWav(byte[] bytes) {
    return bytes.length >= 4 && ascii(bytes, 0).equals("RIFF");
  }

  /** Throws when a WAV's header is broken or promises more samples than the bytes hold. */
  static void check(byte[] bytes) throws AudioException {
    if (bytes.length < 12 || !ascii(bytes, 8).equals("WAVE")) {
      throw new AudioException(
          "AUDIO_TRUNCATED",
          "WAV of " + bytes.length + " bytes ends inside its RIFF header: the file was cut short");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    in.position(12);
    boolean sawFormat = false;
    while (in.remaining() >= 8) {
      String id = ascii(bytes, in.position());
      in.position(in.position() + 4);
      long size = Integer.toUnsignedLong(in.getInt());
      if (id.equals("fmt ")) {
        if (size < 16 || in.remaining() < 16) {
          throw new AudioException(
              "AUDIO_TRUNCATED", "WAV format chunk is cut short: the file was cut short");
        }
        int channels = Short.toUnsignedInt(in.getShort(in.position() + 2));
        long rate = Integer.toUnsignedLong(in.getInt(in.position() + 4));
        if (rate == 0 || channels == 0) {
          throw new AudioException(
              "AUDIO_BAD_HEADER",
              "WAV header says "
                  + rate
                  + " Hz and "
                  + channels
                  + " channels: re-export the audio with a real sample rate");
        }
        sawFormat = true;
      } else if (id.equals("data")) {
        if (!sawFormat) {
          throw new AudioException(
              "AUDIO_BAD_HEADER", "WAV has samples before its format chunk: re-export the audio");
        }
        if (size == 0) {
          throw new AudioException("AUDIO_EMPTY", "WAV holds no samples (its data chunk is empty)");
        }
        // 0xFFFFFFFF marks a size unknown while streaming; then the bytes present are the data.
        if (size != 0xFFFFFFFFL && size > in.remaining()) {
          throw new AudioException(
              "AUDIO_TRUNCATED",
              "WAV header promises "
                  + size
                  + " bytes of samples but the file holds "
                  + in.remaining()
                  + ": the file was cut short");
        }
        return;
      }
      long next = in.position() + size + (size & 1);
      if (next > bytes.length) {
        break;
      }
      in.position((int) next);
    }
    throw new AudioException(
        "AUDIO_TRUNCATED", "WAV has no data chunk: the file was cut short before its samples");
  }

  private static String ascii(byte[] bytes, int at) {
    return at + 4 <= bytes.length ? new String(bytes, at, 4, StandardCharsets.US_ASCII) : "";
  }
}
