package dev.facerender.schedule;

import dev.facerender.io.InputException;
import dev.facerender.io.Schemas;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The sources table's audio columns as a video run takes them, on either scheduler: {@code audio}
 * bytes (base64 text in JSON) or an {@code audio_path}.
 */
public final class AudioColumns {
  private AudioColumns() {}

  /**
   * Refuses audio columns of the wrong type: {@code audio} must have the image column's type
   * (bytes, or base64 text in JSON), {@code audio_path} must be a string.
   */
  public static void check(StructType sources) {
    DataType image = sources.apply("image").dataType();
    checkType(sources, "audio", image, "the image column's type (" + image.simpleString() + ")");
    checkType(sources, "audio_path", DataTypes.StringType, "string");
  }

  private static void checkType(StructType schema, String name, DataType wanted, String what) {
    if (Schemas.has(schema, name) && !Schemas.sameType(schema.apply(name).dataType(), wanted)) {
      throw new InputException(
          "The sources table's column '"
              + name
              + "' is "
              + schema.apply(name).dataType().simpleString()
              + ", wanted "
              + what
              + ": give audio bytes in 'audio' or a file path in 'audio_path'");
    }
  }
}
