package dev.facerender.video;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.Loader;

/** Loading FFmpeg's natives once, and its error codes as messages. */
public final class Ffmpeg {
  // Process fact: FFmpeg's natives load once per process and never unload.
  private static volatile boolean loaded;

  private Ffmpeg() {}

  /** Loads the natives and keeps FFmpeg's own logging to errors (its info lines are per frame). */
  public static void load() {
    if (!loaded) {
      synchronized (Ffmpeg.class) {
        if (!loaded) {
          Loader.load(org.bytedeco.ffmpeg.global.avcodec.class);
          Loader.load(org.bytedeco.ffmpeg.global.avformat.class);
          Loader.load(org.bytedeco.ffmpeg.global.swscale.class);
          Loader.load(org.bytedeco.ffmpeg.global.swresample.class);
          avutil.av_log_set_level(avutil.AV_LOG_ERROR);
          loaded = true;
        }
      }
    }
  }

  /** FFmpeg's text for a negative return code. */
  public static String message(int code) {
    byte[] text = new byte[256];
    avutil.av_strerror(code, text, text.length);
    int end = 0;
    while (end < text.length && text[end] != 0) {
      end++;
    }
    return new String(text, 0, end, java.nio.charset.StandardCharsets.UTF_8) + " (" + code + ")";
  }

  /** {@code code} when it is not an error; else an exception saying what failed. */
  public static int check(int code, String what) {
    if (code < 0) {
      throw new IllegalStateException(what + " failed: " + message(code));
    }
    return code;
  }
}
