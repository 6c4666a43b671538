package dev.facerender.model.cost;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parameters and multiply-adds tallied layer by layer, part by part, by the rules {@link
 * SadTalkerCost} states: convolution and linear weights and biases and norms' affine pairs count as
 * parameters; convolutions and linear layers as multiply-adds. Each part's pair is {@code {params,
 * macs}}, in the order the parts ended.
 */
final class LayerCounts {
  private final Map<String, long[]> parts = new LinkedHashMap<>();
  private long params;
  private long macs;

  /** Starts counting a new part from zero. */
  void begin() {
    params = 0;
    macs = 0;
  }

  /** Records the part counted since {@link #begin} as {@code part}. */
  void end(String part) {
    parts.put(part, new long[] {params, macs});
  }

  /** A convolution of {@code kernelVolume} weights per channel pair over {@code outPositions}. */
  void conv(int in, int out, int kernelVolume, long outPositions, boolean bias) {
    params += (long) in * out * kernelVolume + (bias ? out : 0);
    macs += (long) in * kernelVolume * out * outPositions;
  }

  /** A norm's affine weight and bias. */
  void norm(int channels) {
    params += 2L * channels;
  }

  void linear(int in, int out) {
    params += (long) in * out + out;
    macs += (long) in * out;
  }

  /** Multiply-adds of a layer whose weights are a buffer, not parameters. */
  void bufferMacs(long count) {
    macs += count;
  }

  Map<String, long[]> parts() {
    return parts;
  }
}
