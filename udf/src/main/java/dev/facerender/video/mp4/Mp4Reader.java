package dev.facerender.video.mp4;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avformat.*;
import static org.bytedeco.ffmpeg.global.avutil.*;
import static org.bytedeco.ffmpeg.global.swscale.*;

import dev.facerender.video.Ffmpeg;
import dev.facerender.video.FrameRate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Reads an MP4 back: its streams as the container states them and, decoded, every video frame as
 * RGB bytes. For checks (tests, the export's verification); every native object lives inside one
 * call.
 */
public final class Mp4Reader {
  /** What the container says, and the frames actually decoded. */
  public record Info(
      String videoCodec,
      String pixelFormat,
      int width,
      int height,
      FrameRate frameRate,
      long decodedFrames,
      double videoSeconds,
      String audioCodec,
      double audioSeconds) {}

  private Mp4Reader() {}

  /**
   * The file's streams; decodes every frame and hands each (RGB) to {@code frames} when not null.
   */
  public static Info read(Path file, Consumer<byte[]> frames) {
    Ffmpeg.load();
    AVFormatContext format = new AVFormatContext(null);
    AVCodecContext codec = null;
    AVPacket packet = av_packet_alloc();
    AVFrame frame = av_frame_alloc();
    SwsContext scaler = null;
    try {
      Ffmpeg.check(avformat_open_input(format, file.toString(), null, null), "opening " + file);
      Ffmpeg.check(avformat_find_stream_info(format, (PointerPointer<?>) null), "stream info");
      int videoIndex = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, (AVCodec) null, 0);
      Ffmpeg.check(videoIndex, "finding the video stream of " + file);
      int audioIndex = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, (AVCodec) null, 0);
      AVStream video = format.streams(videoIndex);
      AVCodec decoder = avcodec_find_decoder(video.codecpar().codec_id());
      codec = avcodec_alloc_context3(decoder);
      Ffmpeg.check(avcodec_parameters_to_context(codec, video.codecpar()), "video parameters");
      Ffmpeg.check(avcodec_open2(codec, decoder, (PointerPointer<?>) null), "video decoder");
      int width = codec.width();
      int height = codec.height();
      long decoded = 0;
      byte[] rgb = new byte[width * height * 3];
      try (BytePointer out = new BytePointer((long) rgb.length);
          // swscale reads four plane pointers and strides even for packed output.
          PointerPointer<BytePointer> outPlanes = new PointerPointer<BytePointer>(4).put(0, out);
          IntPointer outStride = new IntPointer(width * 3, 0, 0, 0)) {
        while (true) {
          boolean more = av_read_frame(format, packet) >= 0;
          if (more && packet.stream_index() != videoIndex) {
            av_packet_unref(packet);
            continue;
          }
          Ffmpeg.check(avcodec_send_packet(codec, more ? packet : null), "decoding");
          av_packet_unref(packet);
          while (avcodec_receive_frame(codec, frame) >= 0) {
            decoded++;
            if (frames != null) {
              if (scaler == null) {
                scaler =
                    sws_getContext(
                        width,
                        height,
                        frame.format(),
                        width,
                        height,
                        AV_PIX_FMT_RGB24,
                        SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT,
                        null,
                        null,
                        (DoublePointer) null);
              }
              sws_scale(scaler, frame.data(), frame.linesize(), 0, height, outPlanes, outStride);
              out.position(0).get(rgb);
              frames.accept(rgb.clone());
            }
            av_frame_unref(frame);
          }
          if (!more) {
            break;
          }
        }
      }
      AVRational rate = video.avg_frame_rate();
      String audioCodec = null;
      double audioSeconds = 0;
      if (audioIndex >= 0) {
        AVStream audio = format.streams(audioIndex);
        audioCodec = avcodec_get_name(audio.codecpar().codec_id()).getString();
        audioSeconds = audio.duration() * av_q2d(audio.time_base());
      }
      return new Info(
          avcodec_get_name(video.codecpar().codec_id()).getString(),
          av_get_pix_fmt_name(video.codecpar().format()).getString(),
          width,
          height,
          new FrameRate(rate.num(), rate.den()),
          decoded,
          video.duration() * av_q2d(video.time_base()),
          audioCodec,
          audioSeconds);
    } finally {
      if (scaler != null) {
        sws_freeContext(scaler);
      }
      if (codec != null) {
        avcodec_free_context(codec);
      }
      av_frame_free(frame);
      av_packet_free(packet);
      avformat_close_input(format);
    }
  }

  /** Every decoded frame as RGB bytes. */
  public static List<byte[]> frames(Path file) {
    List<byte[]> frames = new ArrayList<>();
    read(file, frames::add);
    return frames;
  }
}
