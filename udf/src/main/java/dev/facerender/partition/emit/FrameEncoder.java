package dev.facerender.partition.emit;

import dev.facerender.codec.ImageCodec;
import dev.facerender.config.OutputFormat;
import dev.facerender.partition.frame.PendingFrame;
import dev.facerender.partition.task.RenderSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Rendered 8-bit pixels to the output format's bytes: on the task thread, or spread over {@code
 * helpers} too (the local engine on a GPU, whose few tasks leave most cores free) with the task
 * thread encoding a share itself.
 */
public final class FrameEncoder {
  private final OutputFormat format;
  private final int pngCompression;
  private final double jpegQuality;
  private final Executor helpers;
  private final int helperThreads;

  FrameEncoder(OutputFormat format, int pngCompression, double jpegQuality) {
    this(format, pngCompression, jpegQuality, null, 0);
  }

  FrameEncoder(
      OutputFormat format,
      int pngCompression,
      double jpegQuality,
      Executor helpers,
      int helperThreads) {
    this.format = format;
    this.pngCompression = pngCompression;
    this.jpegQuality = jpegQuality;
    this.helpers = helperThreads > 0 ? helpers : null;
    this.helperThreads = helperThreads;
  }

  public static FrameEncoder of(RenderSettings settings) {
    return of(settings, null);
  }

  /** With {@code pool} (null: none) sharing each batch's encoding. */
  public static FrameEncoder of(RenderSettings settings, EncoderPool pool) {
    return new FrameEncoder(
        settings.output().format(),
        settings.output().pngCompression(),
        settings.output().jpegQuality(),
        pool == null ? null : pool.executor(),
        pool == null ? 0 : pool.threads());
  }

  /**
   * Each frame's pixels ({@code w x h} BGR, or RGB for raw) encoded, in order; null pixels stay
   * null, and with no frames format every entry is null.
   */
  List<byte[]> encode(List<PendingFrame> frames, List<byte[]> pixels) {
    int n = frames.size();
    byte[][] encoded = new byte[n][];
    boolean costly = format == OutputFormat.PNG || format == OutputFormat.JPEG;
    int parts = helpers == null || !costly ? 1 : Math.min(n, helperThreads + 1);
    List<CompletableFuture<Void>> shares = new ArrayList<>();
    for (int k = 1; k < parts; k++) {
      int from = k * n / parts;
      int to = (k + 1) * n / parts;
      shares.add(
          CompletableFuture.runAsync(() -> encode(frames, pixels, encoded, from, to), helpers));
    }
    encode(frames, pixels, encoded, 0, n / Math.max(1, parts));
    for (CompletableFuture<Void> share : shares) {
      try {
        share.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    return Arrays.asList(encoded);
  }

  private void encode(
      List<PendingFrame> frames, List<byte[]> pixels, byte[][] encoded, int from, int to) {
    for (int i = from; i < to; i++) {
      byte[] frame = pixels.get(i);
      encoded[i] =
          frame == null
              ? null
              : encode(frame, frames.get(i).source().width(), frames.get(i).source().height());
    }
  }

  public byte[] encode(byte[] pixels, int width, int height) {
    return switch (format) {
      case PNG -> ImageCodec.encodePng(ImageCodec.wrapBgr(pixels, width, height), pngCompression);
      case JPEG ->
          ImageCodec.encodeJpeg(ImageCodec.wrapBgr(pixels, width, height), (float) jpegQuality);
      case RAW -> pixels;
      case NONE -> null;
    };
  }
}
