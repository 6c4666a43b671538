package dev.facerender.video;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * A clip's audio checked against the video it was expected to go with: {@code audio} already padded
 * or trimmed where the fit option allowed it, and {@code note} saying what was done.
 */
public record AudioTrack(ClipAudio audio, long expectedFrames, String note) {
  public AudioTrack {
    requireNonNull(audio, "audio is null");
    requireNonNull(note, "note is null");
  }

  /**
   * Checks {@code audio} against {@code frames} frames: within the tolerance it stays as it is;
   * beyond it, it is padded or trimmed when {@code options} allow, else the clip fails with {@code
   * AUDIO_LENGTH_MISMATCH} naming both durations.
   */
  public static AudioTrack match(ClipAudio audio, long frames, VideoOptions options, String clip)
      throws AudioException {
    double video = options.fps().seconds(frames);
    double difference = audio.seconds() - video;
    if (Math.abs(difference) <= options.audioToleranceSeconds() + 1e-9) {
      return new AudioTrack(audio, frames, "as given");
    }
    boolean shorter = difference < 0;
    if (shorter ? options.audioFit().pads() : options.audioFit().trims()) {
      int samples = (int) Math.round(video * audio.sampleRate());
      return new AudioTrack(
          audio.resized(samples),
          frames,
          String.format(
              Locale.ROOT,
              "%s %.3f s to the video",
              shorter ? "padded with silence by" : "trimmed by",
              Math.abs(difference)));
    }
    throw new AudioException(
        "AUDIO_LENGTH_MISMATCH",
        String.format(
            Locale.ROOT,
            "clip '%s': video %.3f s (%d frames at %s fps) but audio %.3f s, %s by %.3f s, beyond"
                + " the tolerance of %s frames (%.3f s): fix the audio, or pass --audio-fit %s",
            clip,
            video,
            frames,
            options.fps(),
            audio.seconds(),
            shorter ? "shorter" : "longer",
            Math.abs(difference),
            options.audioToleranceFrames(),
            options.audioToleranceSeconds(),
            shorter ? "pad (or fit)" : "trim (or fit)"));
  }
}
