package dev.facerender.video.mp4;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avformat.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import dev.facerender.video.ClipAudio;
import dev.facerender.video.Ffmpeg;
import dev.facerender.video.FrameRate;
import java.util.function.BiConsumer;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A clip's audio as an AAC stream of an {@link Mp4Writer}'s muxer, fed up to each video frame's end
 * so the two interleave. Ownership: the encoder and its sample frame belong to this track until
 * {@link #close} (idempotent); the stream belongs to the muxer. Packets go out through the writer's
 * {@code drain}.
 */
final class AacTrack implements AutoCloseable {
  private static final long AAC_BITS_PER_CHANNEL = 96_000;

  private final ClipAudio audio;
  private final BiConsumer<AVCodecContext, AVStream> drain;
  private AVCodecContext sound;
  private AVStream stream;
  private AVFrame samples;
  private int done;

  private AacTrack(ClipAudio audio, BiConsumer<AVCodecContext, AVStream> drain) {
    this.audio = audio;
    this.drain = drain;
  }

  /** Adds an AAC stream for {@code audio} to {@code format}; {@code drain} writes its packets. */
  static AacTrack open(
      AVFormatContext format,
      ClipAudio audio,
      boolean globalHeader,
      BiConsumer<AVCodecContext, AVStream> drain) {
    AacTrack track = new AacTrack(audio, drain);
    try {
      track.start(format, globalHeader);
      return track;
    } catch (RuntimeException e) {
      track.close();
      throw e;
    }
  }

  private void start(AVFormatContext format, boolean globalHeader) {
    AVCodec aac = avcodec_find_encoder(AV_CODEC_ID_AAC);
    sound = avcodec_alloc_context3(aac);
    sound.sample_fmt(AV_SAMPLE_FMT_FLTP).sample_rate(audio.sampleRate());
    av_channel_layout_default(sound.ch_layout(), audio.channels().length);
    sound.bit_rate(AAC_BITS_PER_CHANNEL * audio.channels().length);
    sound.time_base(av_make_q(1, audio.sampleRate()));
    if (globalHeader) {
      sound.flags(sound.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
    }
    Ffmpeg.check(avcodec_open2(sound, aac, (AVDictionary) null), "aac encoder");
    stream = avformat_new_stream(format, null);
    Ffmpeg.check(avcodec_parameters_from_context(stream.codecpar(), sound), "audio stream");
    stream.time_base(sound.time_base());
    samples = av_frame_alloc();
    samples
        .format(AV_SAMPLE_FMT_FLTP)
        .sample_rate(audio.sampleRate())
        .nb_samples(sound.frame_size());
    Ffmpeg.check(av_channel_layout_copy(samples.ch_layout(), sound.ch_layout()), "audio layout");
    Ffmpeg.check(av_frame_get_buffer(samples, 0), "audio buffer");
  }

  /** Encodes the audio up to the end of video frame {@code frames} at {@code fps}. */
  void upTo(long frames, FrameRate fps) {
    long until = frames * fps.den() * (long) audio.sampleRate() / fps.num();
    encode((int) Math.min(until, audio.samples()), false);
  }

  /** Encodes up to {@code samples} (at most all of the audio) and flushes the encoder. */
  void finish(long upTo) {
    encode((int) Math.min(upTo, audio.samples()), true);
    Ffmpeg.check(avcodec_send_frame(sound, null), "aac flush");
    drain.accept(sound, stream);
  }

  double seconds() {
    return done / (double) audio.sampleRate();
  }

  @Override
  public void close() {
    if (sound != null) {
      avcodec_free_context(sound);
      sound = null;
    }
    if (samples != null) {
      av_frame_free(samples);
      samples = null;
    }
  }

  private void encode(int until, boolean last) {
    int frameSize = sound.frame_size();
    while (done < until && (last || until - done >= frameSize)) {
      int count = Math.min(frameSize, until - done);
      Ffmpeg.check(av_frame_make_writable(samples), "audio frame");
      samples.nb_samples(count);
      for (int c = 0; c < audio.channels().length; c++) {
        try (FloatPointer plane = new FloatPointer(samples.data(c))) {
          plane.put(audio.channels()[c], done, count);
        }
      }
      samples.pts(done);
      done += count;
      Ffmpeg.check(avcodec_send_frame(sound, samples), "aac encoding");
      drain.accept(sound, stream);
    }
  }
}
