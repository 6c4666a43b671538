package dev.facerender.partition.input;

import dev.facerender.codec.ImageCodec;
import dev.facerender.codec.ImageDecodeException;
import dev.facerender.metrics.FrameError;
import dev.facerender.partition.frame.ClipSource;
import dev.facerender.partition.frame.PendingFrame;
import dev.facerender.partition.task.FrameRows;
import dev.facerender.partition.task.RenderSettings;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.spark.sql.Row;

/**
 * Input rows ({@link FrameRows#INPUT}) to frames, sources or errors. Holds no state: what it
 * decides depends on the row and on the stream position it is given, so every rule is testable on
 * its own. Messages name the row, the value and the fix.
 */
public final class RowValidator {
  static final String INPUT = "input";
  static final String DECODE = "decode";

  private final RenderSettings settings;
  private final boolean takesSourceCoeffs;
  private final String modelSpec;
  private final CoefficientRow coefficients;

  public RowValidator(RenderSettings settings, boolean takesSourceCoeffs, String modelSpec) {
    this.settings = settings;
    this.takesSourceCoeffs = takesSourceCoeffs;
    this.modelSpec = modelSpec;
    this.coefficients = new CoefficientRow(settings);
  }

  /**
   * Where the stream stands when a frame row arrives: the clip whose source came last (null before
   * any), that source (null when it failed) or why it failed, and the last accepted frame.
   */
  record Position(
      String clipId, ClipSource source, FrameError clipError, String lastClip, int lastIndex) {}

  /** A frame ready for its window, or why its row was rejected: exactly one is set. */
  record Checked(PendingFrame frame, FrameError error) {}

  /** A decoded source, or why its row cannot serve its clip: exactly one is set. */
  record Source(ClipSource source, FrameError error) {}

  static boolean isSource(Row row) {
    return row.getBoolean(FrameRows.IS_SOURCE);
  }

  static String clipId(Row row) {
    return row.isNullAt(FrameRows.CLIP_ID) ? null : row.getString(FrameRows.CLIP_ID);
  }

  /** A frame row checked against the stream position. */
  Checked frame(Row row, Position at) {
    String clip = clipId(row);
    Integer index = row.isNullAt(FrameRows.FRAME_INDEX) ? null : row.getInt(FrameRows.FRAME_INDEX);
    FrameError error = position(clip, index, at);
    if (error != null) {
      return new Checked(null, error);
    }
    CoefficientRow.Read read = coefficients.read(row, clip, index);
    if (read.error() != null) {
      return new Checked(null, read.error());
    }
    return new Checked(new PendingFrame(clip, index, read.values(), at.source()), null);
  }

  /**
   * A source row without a usable clip id: a {@code source}-stage error that counts no frame. Null
   * when the id is there.
   */
  FrameError sourceWithoutClip(Row row) {
    String clip = clipId(row);
    if (clip != null && !clip.isBlank()) {
      return null;
    }
    return error(
        clip,
        null,
        FrameError.SOURCE_ROW,
        clip == null ? "SOURCE_MISSING_CLIP_ID" : "SOURCE_BLANK_CLIP_ID",
        "a source row has "
            + (clip == null ? "no clip_id" : "a blank clip_id")
            + ", so no frame can use it: give it its clip's id");
  }

  /** The error every frame of a clip with two source rows gets. */
  FrameError duplicateSource(String clip) {
    return error(
        clip,
        null,
        INPUT,
        "DUPLICATE_SOURCE",
        "clip '" + clip + "' has more than one source row: keep exactly one per clip");
  }

  /** A source row decoded: image bytes (base64 for JSON sources) and, if asked, coefficients. */
  Source source(Row row) {
    String clip = clipId(row);
    try {
      byte[] image = sourceBytes(row);
      float[] coeffs = sourceCoefficients(row, clip);
      return new Source(new ClipSource(clip, ImageCodec.decode(image), coeffs), null);
    } catch (ImageDecodeException e) {
      return new Source(
          null,
          error(clip, null, DECODE, e.code(), "source of clip '" + clip + "': " + e.getMessage()));
    }
  }

  private FrameError position(String clip, Integer index, Position at) {
    if (clip == null) {
      return error(null, index, INPUT, "MISSING_CLIP_ID", "frame row has no clip_id");
    }
    if (clip.isBlank()) {
      return error(
          clip, index, INPUT, "BLANK_CLIP_ID", "frame row has a blank clip_id: give it its clip");
    }
    if (index == null) {
      return error(clip, null, INPUT, "MISSING_FRAME_INDEX", "frame row has no frame_index");
    }
    if (index < 0) {
      return error(
          clip, index, INPUT, "NEGATIVE_FRAME_INDEX", "frame_index " + index + " is negative");
    }
    if (clip.equals(at.lastClip()) && index == at.lastIndex()) {
      return error(
          clip,
          index,
          INPUT,
          "DUPLICATE_FRAME",
          "frame " + index + " of clip '" + clip + "' appears more than once; the first was kept");
    }
    if (!clip.equals(at.clipId())) {
      return error(
          clip,
          index,
          INPUT,
          "NO_SOURCE",
          "clip '" + clip + "' has no row in the sources table: add its source image");
    }
    FrameError clipError = at.clipError();
    if (clipError != null) {
      return error(clip, index, clipError.stage(), clipError.code(), clipError.message());
    }
    return null;
  }

  private byte[] sourceBytes(Row row) throws ImageDecodeException {
    if (row.isNullAt(FrameRows.IMAGE)) {
      throw new ImageDecodeException(
          "SOURCE_MISSING", "the image column is null: put the clip's PNG or JPEG bytes there");
    }
    byte[] image = (byte[]) row.get(FrameRows.IMAGE);
    if (!settings.input().base64Sources()) {
      return image;
    }
    try {
      // Line breaks are common in stored base64; anything else outside the alphabet is an error.
      return Base64.getDecoder()
          .decode(new String(image, StandardCharsets.US_ASCII).replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      throw new ImageDecodeException(
          "SOURCE_BAD_BASE64",
          "the image string is not base64 ("
              + e.getMessage()
              + "): JSON sources carry images as base64 text");
    }
  }

  /** The source's own coefficients, required only by models whose forward takes them. */
  private float[] sourceCoefficients(Row row, String clip) throws ImageDecodeException {
    if (!takesSourceCoeffs) {
      return null;
    }
    if (row.isNullAt(FrameRows.COEFFS)) {
      throw new ImageDecodeException(
          "SOURCE_MISSING_COEFFS",
          "model "
              + modelSpec
              + " takes source coefficients: add a coeffs column to the sources"
              + " table");
    }
    CoefficientRow.Read read = coefficients.read(row, clip, null);
    if (read.error() != null) {
      throw new ImageDecodeException(
          "SOURCE_BAD_COEFFS", "source coefficients: " + read.error().message());
    }
    return read.values();
  }

  private FrameError error(String clip, Integer index, String stage, String code, String message) {
    return new FrameError(settings.runId(), clip, index, stage, code, message);
  }
}
