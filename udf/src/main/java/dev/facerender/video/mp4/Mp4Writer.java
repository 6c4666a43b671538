package dev.facerender.video.mp4;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avformat.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import dev.facerender.video.ClipAudio;
import dev.facerender.video.Ffmpeg;
import dev.facerender.video.FrameRate;
import dev.facerender.video.VideoOptions;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * One clip's MP4 on a local file: H.264 yuv420p (BT.601, limited range, tagged) at an exact
 * rational frame rate, the moov atom in front (faststart) so browsers play it while it loads, and
 * the clip's audio as AAC interleaved with the frames.
 *
 * <p>Ownership: every native object (muxer, encoder, packet; the picture conversion through {@link
 * YuvPictures}, the audio encoder through {@link AacTrack}) is made by {@link #open} and owned by
 * this writer until {@link #close}, which frees all of it and is idempotent. One thread at a time;
 * the task thread in a render. {@link #finish} completes the file; a writer closed without it
 * leaves an unfinished file that its caller deletes.
 */
public final class Mp4Writer implements AutoCloseable {
  /** What went into a finished file. */
  public record Result(long frames, double seconds, String encoder, double audioSeconds) {}

  private final int width;
  private final int height;
  private final FrameRate fps;
  private final String encoder;
  private final ClipAudio audio;

  private AVFormatContext format;
  private AVCodecContext video;
  private AVStream videoStream;
  private YuvPictures pictures;
  private AVPacket packet;
  private long frames;
  private AacTrack track;
  private boolean finished;
  private boolean closed;

  private Mp4Writer(int width, int height, FrameRate fps, String encoder, ClipAudio audio) {
    this.width = width;
    this.height = height;
    this.fps = fps;
    this.encoder = encoder;
    this.audio = audio;
  }

  /**
   * Opens {@code file} for frames of {@code width x height} 8-bit pixels, BGR or ({@code rgb}) RGB,
   * encoded by {@code encoder} with {@code options}; {@code audio} (may be null) is muxed as AAC.
   */
  public static Mp4Writer open(
      Path file,
      int width,
      int height,
      boolean rgb,
      VideoOptions options,
      String encoder,
      ClipAudio audio) {
    if (width % 2 != 0 || height % 2 != 0) {
      throw new IllegalArgumentException(
          "yuv420p needs even frame sizes, got " + width + "x" + height + ": render an even size");
    }
    Ffmpeg.load();
    Mp4Writer writer = new Mp4Writer(width, height, options.fps(), encoder, audio);
    try {
      writer.start(file, rgb, options);
      return writer;
    } catch (RuntimeException e) {
      writer.close();
      throw e;
    }
  }

  private void start(Path file, boolean rgb, VideoOptions options) {
    format = new AVFormatContext(null);
    Ffmpeg.check(avformat_alloc_output_context2(format, null, "mp4", file.toString()), "mp4 muxer");
    boolean globalHeader = (format.oformat().flags() & AVFMT_GLOBALHEADER) != 0;
    AVCodec codec = avcodec_find_encoder_by_name(encoder);
    if (codec == null) {
      throw new IllegalStateException("FFmpeg here has no encoder " + encoder);
    }
    video = avcodec_alloc_context3(codec);
    video.width(width).height(height).pix_fmt(AV_PIX_FMT_YUV420P);
    video.time_base(av_make_q(fps.den(), fps.num())).framerate(av_make_q(fps.num(), fps.den()));
    video.gop_size((int) Math.max(1, Math.round(2 * fps.perSecond())));
    video.color_range(AVCOL_RANGE_MPEG).colorspace(AVCOL_SPC_SMPTE170M);
    video.color_primaries(AVCOL_PRI_SMPTE170M).color_trc(AVCOL_TRC_SMPTE170M);
    if (globalHeader) {
      video.flags(video.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
    }
    AVDictionary codecOptions = new AVDictionary(null);
    try {
      H264Encoders.apply(encoder, options, video, codecOptions);
      Ffmpeg.check(avcodec_open2(video, codec, codecOptions), encoder + " encoder");
    } finally {
      av_dict_free(codecOptions);
    }
    videoStream = avformat_new_stream(format, null);
    Ffmpeg.check(avcodec_parameters_from_context(videoStream.codecpar(), video), "video stream");
    videoStream.time_base(video.time_base());
    videoStream.avg_frame_rate(av_make_q(fps.num(), fps.den()));
    videoStream.r_frame_rate(av_make_q(fps.num(), fps.den()));
    if (audio != null) {
      track = AacTrack.open(format, audio, globalHeader, this::drain);
    }
    pictures = YuvPictures.open(width, height, rgb);
    packet = av_packet_alloc();
    AVIOContext io = new AVIOContext(null);
    Ffmpeg.check(avio_open(io, file.toString(), AVIO_FLAG_WRITE), "opening " + file);
    format.pb(io);
    AVDictionary muxOptions = new AVDictionary(null);
    try {
      av_dict_set(muxOptions, "movflags", "+faststart", 0);
      Ffmpeg.check(avformat_write_header(format, muxOptions), "mp4 header");
    } finally {
      av_dict_free(muxOptions);
    }
  }

  /** Encodes all of the audio with the file. */
  public Result finish() {
    return finish(Long.MAX_VALUE);
  }

  /** Encodes one frame ({@code width x height x 3} bytes) and the audio up to its end. */
  public void write(byte[] frame) {
    requireOpen();
    AVFrame picture = pictures.convert(frame, frames);
    frames++;
    Ffmpeg.check(avcodec_send_frame(video, picture), encoder + " encoding");
    drain(video, videoStream);
    if (track != null) {
      track.upTo(frames, fps);
    }
  }

  /**
   * Flushes the encoders, writes the audio up to {@code audioSamples} (at most all of it) and the
   * trailer, moving moov to the front.
   */
  public Result finish(long audioSamples) {
    requireOpen();
    if (frames == 0) {
      throw new IllegalStateException("an MP4 needs at least one frame");
    }
    Ffmpeg.check(avcodec_send_frame(video, null), encoder + " flush");
    drain(video, videoStream);
    if (track != null) {
      track.finish(audioSamples);
    }
    Ffmpeg.check(av_write_trailer(format), "mp4 trailer");
    finished = true;
    closeFile();
    return new Result(frames, fps.seconds(frames), encoder, track == null ? 0 : track.seconds());
  }

  /** Frees every native object; idempotent. An unfinished file stays behind for its caller. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeFile();
    if (video != null) {
      avcodec_free_context(video);
    }
    if (track != null) {
      track.close();
    }
    if (format != null) {
      avformat_free_context(format);
    }
    if (pictures != null) {
      pictures.close();
    }
    if (packet != null) {
      av_packet_free(packet);
    }
  }

  public long framesWritten() {
    return frames;
  }

  public boolean isFinished() {
    return finished;
  }

  private void drain(AVCodecContext codec, AVStream stream) {
    while (true) {
      int got = avcodec_receive_packet(codec, packet);
      if (got == AVERROR_EAGAIN() || got == AVERROR_EOF) {
        return;
      }
      Ffmpeg.check(got, "encoding");
      av_packet_rescale_ts(packet, codec.time_base(), stream.time_base());
      packet.stream_index(stream.index());
      Ffmpeg.check(av_interleaved_write_frame(format, packet), "writing a packet");
    }
  }

  private void closeFile() {
    if (format != null && format.pb() != null && !format.pb().isNull()) {
      avio_closep(format.pb());
      format.pb(null);
    }
  }

  private void requireOpen() {
    if (closed || finished) {
      throw new IllegalStateException("the MP4 writer is " + (closed ? "closed" : "finished"));
    }
  }
}
