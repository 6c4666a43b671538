package dev.facerender.video.mp4;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import dev.facerender.concurrent.Memo;
import dev.facerender.video.Ffmpeg;
import dev.facerender.video.VideoOptions;
import java.util.List;
import java.util.Locale;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avutil.AVDictionary;

/**
 * Which H.264 encoder runs, and its options. {@code auto} takes the first that opens here:
 * h264_nvenc (only where the GPU has NVENC and its driver is installed: data-centre GPUs such as
 * A100/H100/H200 have none), libx264 (only in FFmpeg's GPL build), libopenh264 (the LGPL build's
 * CPU encoder). The probe opens each once per JVM.
 */
public final class H264Encoders {
  public static final List<String> AUTO_ORDER = List.of("h264_nvenc", "libx264", "libopenh264");
  private static final List<String> X264_PRESETS =
      List.of(
          "ultrafast",
          "superfast",
          "veryfast",
          "faster",
          "fast",
          "medium",
          "slow",
          "slower",
          "veryslow");
  // Process fact: which encoders this process's FFmpeg build opens does not change while it runs.
  private static final Memo<String, Boolean> OPENS = new Memo<>();

  private H264Encoders() {}

  /** The encoder {@code requested} names, or for {@code auto} the first that opens here. */
  public static String choose(String requested) {
    Ffmpeg.load();
    if (!requested.equals("auto")) {
      if (!opens(requested)) {
        throw new IllegalStateException(
            "H.264 encoder "
                + requested
                + " does not open on this machine: use --video-encoder auto, or one of "
                + available());
      }
      return requested;
    }
    return AUTO_ORDER.stream()
        .filter(H264Encoders::opens)
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no H.264 encoder opens here (tried "
                        + AUTO_ORDER
                        + "): check the FFmpeg natives"));
  }

  /** Encoders of {@link #AUTO_ORDER} that open on this machine. */
  public static List<String> available() {
    Ffmpeg.load();
    return AUTO_ORDER.stream().filter(H264Encoders::opens).toList();
  }

  /** The encoder's options for {@code options}' quality and preset, in FFmpeg's names. */
  static void apply(String encoder, VideoOptions options, AVCodecContext context, AVDictionary d) {
    if (options.bitrate() > 0) {
      context.bit_rate(options.bitrate());
    }
    int preset = Math.max(0, X264_PRESETS.indexOf(options.preset().toLowerCase(Locale.ROOT)));
    switch (encoder) {
      case "libx264" -> {
        av_dict_set(d, "preset", X264_PRESETS.get(preset), 0);
        if (options.bitrate() == 0) {
          av_dict_set(d, "crf", Integer.toString(options.crf()), 0);
        }
      }
      case "h264_nvenc" -> {
        // NVENC presets p1 (fastest) to p7 (best) stand where x264's nine names do.
        av_dict_set(d, "preset", "p" + (1 + preset * 6 / (X264_PRESETS.size() - 1)), 0);
        if (options.bitrate() == 0) {
          av_dict_set(d, "rc", "vbr", 0);
          av_dict_set(d, "cq", Integer.toString(options.crf()), 0);
        }
      }
      case "libopenh264" -> {
        // OpenH264 has no CRF or presets: quality mode with the quantiser held at the CRF value
        // gives a comparable constant quality; a bitrate, when set, drives bitrate mode.
        if (options.bitrate() == 0) {
          av_dict_set(d, "rc_mode", "quality", 0);
          context.bit_rate(0);
          context.qmin(options.crf());
          context.qmax(options.crf());
        } else {
          av_dict_set(d, "rc_mode", "bitrate", 0);
        }
        av_dict_set(d, "allow_skip_frames", "0", 0);
      }
      default -> {
        // Another encoder keeps its own defaults.
      }
    }
  }

  private static boolean opens(String name) {
    return OPENS.get(name, H264Encoders::tryOpen);
  }

  /** Opens {@code name} on a tiny frame and closes it again. */
  private static boolean tryOpen(String name) {
    AVCodec codec = avcodec_find_encoder_by_name(name);
    if (codec == null) {
      return false;
    }
    AVCodecContext context = avcodec_alloc_context3(codec);
    AVDictionary options = new AVDictionary(null);
    // A missing NVENC driver is the expected answer on most machines, not an error to print.
    av_log_set_level(AV_LOG_QUIET);
    try {
      context.width(256).height(256).pix_fmt(AV_PIX_FMT_YUV420P);
      context.time_base(av_make_q(1, 25)).framerate(av_make_q(25, 1));
      return avcodec_open2(context, codec, options) >= 0;
    } finally {
      av_log_set_level(AV_LOG_ERROR);
      av_dict_free(options);
      avcodec_free_context(context);
    }
  }
}
