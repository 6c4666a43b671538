package dev.facerender.partition;

import dev.facerender.codec.ImageCodec;
import dev.facerender.config.OutputFormat;
import java.util.ArrayList;
import java.util.List;

/** Rendered 8-bit pixels to the output format's bytes, on the task thread. */
final class FrameEncoder {
  private final OutputFormat format;
  private final int pngCompression;
  private final double jpegQuality;

  FrameEncoder(OutputFormat format, int pngCompression, double jpegQuality) {
    this.format = format;
    this.pngCompression = pngCompression;
    this.jpegQuality = jpegQuality;
  }

  static FrameEncoder of(RenderSettings settings) {
    return new FrameEncoder(settings.format(), settings.pngCompression(), settings.jpegQuality());
  }

  /**
   * Each frame's pixels ({@code w x h} BGR, or RGB for raw) encoded; null pixels stay null, and
   * with no frames format every entry is null.
   */
  List<byte[]> encode(List<PendingFrame> frames, List<byte[]> pixels) {
    List<byte[]> encoded = new ArrayList<>(frames.size());
    for (int i = 0; i < frames.size(); i++) {
      byte[] frame = pixels.get(i);
      encoded.add(
          frame == null
              ? null
              : encode(frame, frames.get(i).source().width(), frames.get(i).source().height()));
    }
    return encoded;
  }

  byte[] encode(byte[] pixels, int width, int height) {
    return switch (format) {
      case PNG -> ImageCodec.encodePng(ImageCodec.wrapBgr(pixels, width, height), pngCompression);
      case JPEG ->
          ImageCodec.encodeJpeg(ImageCodec.wrapBgr(pixels, width, height), (float) jpegQuality);
      case RAW -> pixels;
      case NONE -> null;
    };
  }
}
