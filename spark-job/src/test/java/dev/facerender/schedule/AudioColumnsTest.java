package dev.facerender.schedule;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.io.InputException;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The audio columns both schedulers take from a sources table, and the ones they refuse. */
class AudioColumnsTest {
  private static StructType sources(DataType image) {
    return new StructType().add("clip_id", DataTypes.StringType).add("image", image);
  }

  @Test
  void audioOfTheImagesTypeAndAStringPathAreTaken() {
    assertThatCode(() -> AudioColumns.check(sources(DataTypes.BinaryType)))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                AudioColumns.check(
                    sources(DataTypes.BinaryType)
                        .add("audio", DataTypes.BinaryType)
                        .add("audio_path", DataTypes.StringType)))
        .doesNotThrowAnyException();
    // JSON sources: base64 text in both.
    assertThatCode(
            () ->
                AudioColumns.check(
                    sources(DataTypes.StringType).add("audio", DataTypes.StringType)))
        .doesNotThrowAnyException();
  }

  @Test
  void aColumnOfAnotherTypeIsRefusedNamingItTheTypeAndTheFix() {
    assertThatThrownBy(
            () ->
                AudioColumns.check(
                    sources(DataTypes.BinaryType).add("audio", DataTypes.StringType)))
        .isInstanceOf(InputException.class)
        .hasMessageContaining("column 'audio' is string")
        .hasMessageContaining("wanted the image column's type (binary)")
        .hasMessageContaining("a file path in 'audio_path'");
    assertThatThrownBy(
            () ->
                AudioColumns.check(
                    sources(DataTypes.BinaryType).add("audio_path", DataTypes.IntegerType)))
        .isInstanceOf(InputException.class)
        .hasMessageContaining("column 'audio_path' is int, wanted string");
  }
}
