package dev.facerender.video.mp4;

import static org.bytedeco.ffmpeg.global.avutil.*;
import static org.bytedeco.ffmpeg.global.swscale.*;

import dev.facerender.video.Ffmpeg;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Packed 8-bit BGR or RGB frames turned into the yuv420p picture an {@link Mp4Writer}'s encoder
 * takes, one frame at a time into one reused picture. Ownership: the scaler, the picture and the
 * pixel buffers belong to this object until {@link #close} (idempotent).
 */
final class YuvPictures implements AutoCloseable {
  private final int width;
  private final int height;
  private SwsContext scaler;
  private AVFrame picture;
  private BytePointer pixels;
  private PointerPointer<BytePointer> pixelPlanes;
  private IntPointer pixelStride;

  private YuvPictures(int width, int height) {
    this.width = width;
    this.height = height;
  }

  /** Pictures of {@code width x height} from BGR frames, or RGB ones when {@code rgb}. */
  static YuvPictures open(int width, int height, boolean rgb) {
    YuvPictures pictures = new YuvPictures(width, height);
    try {
      pictures.allocate(rgb);
      return pictures;
    } catch (RuntimeException e) {
      pictures.close();
      throw e;
    }
  }

  private void allocate(boolean rgb) {
    picture = av_frame_alloc();
    picture.format(AV_PIX_FMT_YUV420P).width(width).height(height);
    Ffmpeg.check(av_frame_get_buffer(picture, 0), "picture buffer");
    scaler =
        sws_getContext(
            width,
            height,
            rgb ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_BGR24,
            width,
            height,
            AV_PIX_FMT_YUV420P,
            SWS_BICUBIC,
            null,
            null,
            (DoublePointer) null);
    pixels = new BytePointer((long) width * height * 3);
    // swscale reads four plane pointers and strides even for packed input.
    pixelPlanes = new PointerPointer<BytePointer>(4).put(0, pixels);
    pixelStride = new IntPointer(width * 3, 0, 0, 0);
  }

  /**
   * {@code frame} ({@code width x height x 3} bytes) as the picture of presentation time {@code
   * pts}; the picture is this object's and is overwritten by the next call.
   */
  AVFrame convert(byte[] frame, long pts) {
    if (frame.length != width * height * 3) {
      throw new IllegalArgumentException(
          "frame of " + frame.length + " bytes, expected " + (width * height * 3));
    }
    pixels.position(0).put(frame);
    Ffmpeg.check(av_frame_make_writable(picture), "picture");
    sws_scale(scaler, pixelPlanes, pixelStride, 0, height, picture.data(), picture.linesize());
    picture.pts(pts);
    return picture;
  }

  @Override
  public void close() {
    if (scaler != null) {
      sws_freeContext(scaler);
      scaler = null;
    }
    if (picture != null) {
      av_frame_free(picture);
      picture = null;
    }
    if (pixelPlanes != null) {
      pixelPlanes.close();
      pixelPlanes = null;
    }
    if (pixels != null) {
      pixels.close();
      pixels = null;
    }
    if (pixelStride != null) {
      pixelStride.close();
      pixelStride = null;
    }
  }
}
