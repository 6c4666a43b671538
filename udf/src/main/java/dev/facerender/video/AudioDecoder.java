package dev.facerender.video;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avformat.*;
import static org.bytedeco.ffmpeg.global.avutil.*;
import static org.bytedeco.ffmpeg.global.swresample.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVChannelLayout;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Audio bytes (WAV, MP3, AAC/M4A, anything FFmpeg demuxes) to {@link ClipAudio}: planar float at
 * the input's rate when AAC takes it (else 48 kHz), at most two channels. Every native object is
 * made and freed inside {@link #decode}; nothing outlives the call.
 */
public final class AudioDecoder {
  /** Sample rates the AAC encoder accepts (ISO/IEC 14496-3 sampling frequency index). */
  private static final int[] AAC_RATES = {
    96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000
  };

  private AudioDecoder() {}

  public static ClipAudio decode(byte[] bytes) throws AudioException {
    if (bytes.length == 0) {
      throw new AudioException("AUDIO_EMPTY", "the audio is 0 bytes: put WAV, MP3 or AAC bytes");
    }
    if (WavHeader.isWav(bytes)) {
      WavHeader.check(bytes);
    }
    Ffmpeg.load();
    Path file;
    try {
      // FFmpeg probes and seeks a file more reliably than a custom in-memory reader.
      file = Files.createTempFile("facerender-audio", ".bin");
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stage audio for decoding", e);
    }
    try {
      return decode(file);
    } finally {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // A leftover temp file is harmless; the decode result stands.
      }
    }
  }

  private static ClipAudio decode(Path file) throws AudioException {
    AVFormatContext format = new AVFormatContext(null);
    AVCodecContext codec = null;
    SwrContext resampler = null;
    AVPacket packet = av_packet_alloc();
    AVFrame frame = av_frame_alloc();
    AVChannelLayout outLayout = new AVChannelLayout();
    try {
      int opened = avformat_open_input(format, file.toString(), null, null);
      if (opened < 0) {
        throw new AudioException(
            "AUDIO_NOT_AUDIO",
            "the audio bytes are in no format FFmpeg reads ("
                + Ffmpeg.message(opened)
                + "): give WAV, MP3 or AAC bytes");
      }
      avformat_find_stream_info(format, (PointerPointer<?>) null);
      int stream = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, (AVCodec) null, 0);
      String container = format.iformat().name().getString();
      if (stream < 0) {
        throw new AudioException(
            "AUDIO_NOT_AUDIO",
            "the audio bytes are " + container + " with no audio stream: give WAV, MP3 or AAC");
      }
      AVStream in = format.streams(stream);
      AVCodec decoder = avcodec_find_decoder(in.codecpar().codec_id());
      int inRate = in.codecpar().sample_rate();
      if (inRate <= 0 || in.codecpar().ch_layout().nb_channels() <= 0) {
        throw new AudioException(
            "AUDIO_BAD_HEADER",
            "the audio header says "
                + inRate
                + " Hz and "
                + in.codecpar().ch_layout().nb_channels()
                + " channels: re-export it with a real sample rate");
      }
      if (decoder == null) {
        throw new AudioException(
            "AUDIO_UNSUPPORTED", "no decoder for the " + container + " audio: convert it to WAV");
      }
      codec = avcodec_alloc_context3(decoder);
      Ffmpeg.check(avcodec_parameters_to_context(codec, in.codecpar()), "audio parameters");
      Ffmpeg.check(avcodec_open2(codec, decoder, (PointerPointer<?>) null), "audio decoder");
      int outRate = aacRate(inRate);
      int channels = Math.min(2, codec.ch_layout().nb_channels());
      av_channel_layout_default(outLayout, channels);
      resampler = new SwrContext(null);
      Ffmpeg.check(
          swr_alloc_set_opts2(
              resampler,
              outLayout,
              AV_SAMPLE_FMT_FLTP,
              outRate,
              codec.ch_layout(),
              codec.sample_fmt(),
              codec.sample_rate(),
              0,
              null),
          "audio resampler");
      Ffmpeg.check(swr_init(resampler), "audio resampler");
      PcmBuffer pcm = new PcmBuffer(channels);
      int errors = 0;
      while (av_read_frame(format, packet) >= 0) {
        if (packet.stream_index() == stream && avcodec_send_packet(codec, packet) < 0) {
          errors++;
        }
        av_packet_unref(packet);
        errors += drain(codec, frame, resampler, pcm);
      }
      avcodec_send_packet(codec, null);
      errors += drain(codec, frame, resampler, pcm);
      pcm.flush(resampler);
      if (pcm.samples() == 0) {
        throw new AudioException(
            errors > 0 ? "AUDIO_CORRUPT" : "AUDIO_EMPTY",
            errors > 0
                ? "the " + container + " audio has no decodable samples: the file is damaged"
                : "the " + container + " audio holds no samples");
      }
      return new ClipAudio(outRate, pcm.channels(), container);
    } finally {
      av_channel_layout_uninit(outLayout);
      outLayout.close();
      if (resampler != null) {
        swr_free(resampler);
      }
      if (codec != null) {
        avcodec_free_context(codec);
      }
      av_frame_free(frame);
      av_packet_free(packet);
      avformat_close_input(format);
    }
  }

  /** Decoded frames resampled into {@code pcm}; returns how many decode errors were skipped. */
  private static int drain(AVCodecContext codec, AVFrame frame, SwrContext swr, PcmBuffer pcm) {
    int errors = 0;
    while (true) {
      int got = avcodec_receive_frame(codec, frame);
      if (got == AVERROR_EAGAIN() || got == AVERROR_EOF) {
        return errors;
      }
      if (got < 0) {
        return errors + 1;
      }
      pcm.convert(swr, frame.extended_data(), frame.nb_samples());
      av_frame_unref(frame);
    }
  }

  private static int aacRate(int rate) {
    for (int supported : AAC_RATES) {
      if (supported == rate) {
        return rate;
      }
    }
    return 48000;
  }

  /** Growable planar float output of the resampler. */
  private static final class PcmBuffer {
    private float[][] data;
    private int samples;

    PcmBuffer(int channels) {
      data = new float[channels][4096];
    }

    void convert(SwrContext swr, PointerPointer<?> in, int inSamples) {
      int room = swr_get_out_samples(swr, inSamples);
      if (room <= 0) {
        return;
      }
      FloatPointer[] planes = new FloatPointer[data.length];
      try (PointerPointer<FloatPointer> out = new PointerPointer<>(data.length)) {
        for (int c = 0; c < data.length; c++) {
          planes[c] = new FloatPointer(room);
          out.put(c, planes[c]);
        }
        int got = Ffmpeg.check(swr_convert(swr, out, room, in, inSamples), "audio resampling");
        ensure(samples + got);
        for (int c = 0; c < data.length; c++) {
          planes[c].get(data[c], samples, got);
        }
        samples += got;
      } finally {
        for (FloatPointer plane : planes) {
          if (plane != null) {
            plane.close();
          }
        }
      }
    }

    void flush(SwrContext swr) {
      convert(swr, null, 0);
    }

    int samples() {
      return samples;
    }

    float[][] channels() {
      float[][] out = new float[data.length][];
      for (int c = 0; c < data.length; c++) {
        out[c] = java.util.Arrays.copyOf(data[c], samples);
      }
      return out;
    }

    private void ensure(int size) {
      if (size > data[0].length) {
        for (int c = 0; c < data.length; c++) {
          data[c] = java.util.Arrays.copyOf(data[c], Math.max(size, 2 * data[c].length));
        }
      }
    }
  }
}
