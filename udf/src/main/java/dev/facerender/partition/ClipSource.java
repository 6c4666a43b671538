package dev.facerender.partition;

import dev.facerender.codec.RgbImage;

/** A clip's decoded source image, decoded once per clip per task. */
record ClipSource(String clipId, RgbImage image) {
  int width() {
    return image.width();
  }

  int height() {
    return image.height();
  }
}
