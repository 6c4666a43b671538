package dev.facerender.partition.video;

import dev.facerender.video.AudioException;
import dev.facerender.video.VideoOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.spark.sql.Row;

/** A clip's audio as its row gives it, for a render's videos and an export's alike. */
final class ClipAudioInput {
  private ClipAudioInput() {}

  /**
   * The audio file's bytes: column {@code audio} (base64 text when {@code base64}, as JSON input
   * gives it), else the file column {@code path} names, read through {@code output}; null when the
   * row has neither (a silent clip).
   */
  static byte[] bytes(Row row, int audio, int path, boolean base64, VideoOutput output)
      throws AudioException {
    if (row.size() > audio && !row.isNullAt(audio)) {
      byte[] bytes = (byte[]) row.get(audio);
      if (!base64) {
        return bytes;
      }
      try {
        return Base64.getDecoder()
            .decode(new String(bytes, StandardCharsets.US_ASCII).replaceAll("\\s", ""));
      } catch (IllegalArgumentException e) {
        throw new AudioException(
            "AUDIO_BAD_BASE64", "the audio string is not base64 (" + e.getMessage() + ")");
      }
    }
    if (row.size() > path && !row.isNullAt(path)) {
      String file = row.getString(path);
      try {
        return output.read(file);
      } catch (IOException e) {
        throw new AudioException(
            "AUDIO_UNREADABLE",
            "cannot read audio_path " + file + " (" + e + "): check the path and its permissions");
      }
    }
    return null;
  }
}
