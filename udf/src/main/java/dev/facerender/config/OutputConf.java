package dev.facerender.config;

import static dev.facerender.config.ConfigKey.declare;

import java.util.List;

/** How frames are written to frames/: their format and the encoders' settings. */
public final class OutputConf {
  public static final ConfigKey<OutputFormat> FORMAT =
      declare(
          "framesFormat",
          "--frames-format",
          "Frames in frames/: png, jpeg, raw (8-bit RGB rows) or none (a video-only run never"
              + " encodes images)",
          "enum",
          "png",
          OutputFormat::parse,
          f -> true,
          "a format");
  public static final ConfigKey<Integer> PNG_COMPRESSION =
      declare(
          "pngCompression",
          "--png-compression",
          "PNG deflate level 0-9; 1 encodes ~3.7x faster than 6 for ~50% larger files",
          "int",
          "1",
          Integer::valueOf,
          n -> n >= 0 && n <= 9,
          "in [0, 9]");
  public static final ConfigKey<Double> JPEG_QUALITY =
      declare(
          "jpegQuality",
          "--jpeg-quality",
          "JPEG quality in (0, 1]",
          "double",
          "0.9",
          Double::valueOf,
          q -> q > 0 && q <= 1,
          "in (0, 1]");

  public static final List<ConfigKey<?>> ALL = List.of(FORMAT, PNG_COMPRESSION, JPEG_QUALITY);

  private OutputConf() {}
}
