package dev.facerender.natives;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.pytorch.global.torch;

/**
 * Makes libtorch's CPU allocator zero every block it hands out ({@code
 * caffe2_cpu_allocator_do_zero_fill}).
 *
 * <p>Why: in this libtorch build a CPU convolution whose input channels are not a multiple of the
 * oneDNN block (16 with AVX-512, 8 with AVX2) reads the padding of its blocked buffers, which the
 * allocator leaves as whatever was freed there. Measured here: a 3x3 conv2d of 70, 84 or 88 input
 * channels returned NaN after NaN-filled tensors were freed, while 80 and 96 did not; the reference
 * network (84 channels into its dense-motion head at width 0.125) rendered other frames, or NaN,
 * once another model had been closed in the same JVM. With zeroed blocks the padding adds nothing
 * and every call gives the same bytes. The cost is one memset per allocation: 1.5x the warp's
 * forward time (which has no convolution and so runs without it), within noise on the reference
 * network. Process-wide and never turned off: a model loaded earlier may rely on it.
 */
public final class ZeroFilledAllocations {
  private static final String FLAG = "--caffe2_cpu_allocator_do_zero_fill=true";

  private ZeroFilledAllocations() {}

  /** Turns zero-filling on for the process (idempotent; libtorch must be loaded). */
  public static synchronized void enable() {
    if (torch.CommandLineFlagsHasBeenParsed()) {
      return;
    }
    try (PointerPointer<BytePointer> argv = new PointerPointer<>("facerender", FLAG)) {
      if (!torch.ParseCommandLineFlags(new int[] {2}, argv)) {
        throw new IllegalStateException("libtorch did not accept " + FLAG);
      }
    }
  }
}
