package dev.facerender.config;

import static dev.facerender.config.ConfigKey.declare;

import dev.facerender.video.AudioFit;
import dev.facerender.video.FrameRate;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The video settings: one MP4 per clip, its encoder and quality, and how its audio must fit. */
public final class VideoConf {
  public static final ConfigKey<String> VIDEO =
      declare(
          "video",
          "--video",
          "Per-clip video: none, or mp4 (H.264 yuv420p, faststart, the clip's audio as AAC) into"
              + " videos/",
          "enum",
          "none",
          Function.identity(),
          v -> v.equals("none") || v.equals("mp4"),
          "none or mp4");
  public static final ConfigKey<FrameRate> FPS =
      declare(
          "fps",
          "--fps",
          "Video frame rate, exact: an integer or a fraction (30000/1001, not 29.97)",
          "rational",
          "25",
          FrameRate::parse,
          r -> r.perSecond() <= 1000,
          "a positive rate up to 1000");
  public static final ConfigKey<String> VIDEO_ENCODER =
      declare(
          "videoEncoder",
          "--video-encoder",
          "H.264 encoder: auto (h264_nvenc where the GPU has NVENC, else the CPU encoder),"
              + " h264_nvenc, libx264 (GPL FFmpeg build only) or libopenh264",
          "enum",
          "auto",
          Function.identity(),
          e -> List.of("auto", "h264_nvenc", "libx264", "libopenh264").contains(e),
          "auto, h264_nvenc, libx264 or libopenh264");
  public static final ConfigKey<Integer> VIDEO_CRF =
      declare(
          "videoCrf",
          "--video-crf",
          "Constant quality 0-51, lower is better (x264 CRF, NVENC CQ, OpenH264 quantiser); used"
              + " when --video-bitrate is 0",
          "int",
          "23",
          Integer::valueOf,
          n -> n >= 0 && n <= 51,
          "in [0, 51]");
  public static final ConfigKey<Long> VIDEO_BITRATE =
      declare(
          "videoBitrate",
          "--video-bitrate",
          "Video bits per second; 0 encodes at constant quality (--video-crf)",
          "long",
          "0",
          Long::valueOf,
          n -> n >= 0,
          ">= 0");
  public static final ConfigKey<String> VIDEO_PRESET =
      declare(
          "videoPreset",
          "--video-preset",
          "Encoder speed preset, x264 names ultrafast..veryslow (NVENC p1..p7; OpenH264 has none)",
          "enum",
          "medium",
          Function.identity(),
          p ->
              List.of(
                      "ultrafast",
                      "superfast",
                      "veryfast",
                      "faster",
                      "fast",
                      "medium",
                      "slow",
                      "slower",
                      "veryslow")
                  .contains(p),
          "an x264 preset name");
  public static final ConfigKey<Double> AUDIO_TOLERANCE =
      declare(
          "audioTolerance",
          "--audio-tolerance",
          "Frames by which a clip's audio may differ from its video before --audio-fit applies",
          "double",
          "1",
          Double::valueOf,
          t -> t >= 0,
          ">= 0");
  public static final ConfigKey<AudioFit> AUDIO_FIT =
      declare(
          "audioFit",
          "--audio-fit",
          "Audio longer or shorter than the video beyond the tolerance: check (the clip fails with"
              + " AUDIO_LENGTH_MISMATCH), pad (silence), trim, or fit (pad or trim)",
          "enum",
          "check",
          AudioFit::parse,
          f -> true,
          "check, pad, trim or fit");

  public static final List<ConfigKey<?>> ALL =
      List.of(
          VIDEO,
          FPS,
          VIDEO_ENCODER,
          VIDEO_CRF,
          VIDEO_BITRATE,
          VIDEO_PRESET,
          AUDIO_TOLERANCE,
          AUDIO_FIT);

  private VideoConf() {}

  /** The video options of {@code values}, or null when {@code --video none}. */
  public static dev.facerender.video.VideoOptions options(Map<String, String> values) {
    if (FacerenderConf.get(VIDEO, values).equals("none")) {
      return null;
    }
    return new dev.facerender.video.VideoOptions(
        FacerenderConf.get(FPS, values),
        FacerenderConf.get(VIDEO_ENCODER, values),
        FacerenderConf.get(VIDEO_CRF, values),
        FacerenderConf.get(VIDEO_BITRATE, values),
        FacerenderConf.get(VIDEO_PRESET, values),
        FacerenderConf.get(AUDIO_TOLERANCE, values),
        FacerenderConf.get(AUDIO_FIT, values));
  }
}
