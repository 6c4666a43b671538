package dev.facerender.device.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * What a SadTalker-class renderer asks a CUDA allocator for: its weights once, at load, and per
 * batch a forward pass of tensors that live and die in order: an encoder whose outputs are kept as
 * skip connections, a 3D feature volume warped by dense motion, residual blocks and a decoder that
 * consumes the skips, each convolution with a transient workspace. Sizes are per frame at 256x256
 * and scale with the pixels and the batch; only the output outlives the pass. The shape is the
 * face-vid2vid generator SadTalker renders with; the sizes are this model's assumptions (a real
 * GPU's peaks per batch size, as bench/gpu-probe.py measures them, are the check). What a pass
 * costs is whatever the allocator makes of this sequence: rounding, segments, best fit and
 * fragmentation included, never a formula.
 */
public final class RendererWorkload {
  private static final long MIB = 1L << 20;
  private static final long PIXELS_256 = 256L * 256;

  /** One step: the tensor it makes (bytes per frame at 256 px), what dies after it, a workspace. */
  private record Step(double mibPerFrame, boolean convolution, int... frees) {}

  private static final Step[] FORWARD = {
    new Step(0.75, false), // 0 source and driving input
    new Step(16, true), // 1 encoder 64 ch @ 256
    new Step(8, true), // 2 encoder 128 ch @ 128
    new Step(4, true), // 3 encoder 256 ch @ 64
    new Step(8, true), // 4 3D feature volume 32 x 16 x 64 x 64
    new Step(4, true), // 5 keypoint heatmaps
    new Step(17, false, 5), // 6 features deformed per keypoint
    new Step(0.75, true, 6), // 7 dense deformation
    new Step(8, false, 4, 7), // 8 warped feature volume
    new Step(4, true, 8), // 9 2D features 256 ch @ 64
    new Step(8, true, 9), // 10 residual block
    new Step(8, true, 10), // 11 residual block
    new Step(16, true, 3, 11), // 12 decoder @ 128, skip 3 consumed
    new Step(32, true, 2, 12), // 13 decoder @ 256, skip 2 consumed
    new Step(16, true, 1, 13), // 14 decoder 64 ch @ 256, skip 1 consumed
    new Step(0.75, true, 0, 14), // 15 output frames 3 x 256 x 256
  };

  /** A convolution's transient workspace, as a share of its output. */
  private static final double WORKSPACE_SHARE = 0.25;

  /** Repeating weight tensor sizes: 3x3 kernels of 128, 256, 512 and 1024 channels, float32. */
  private static final long[] WEIGHT_TENSORS = {
    3 * 3 * 128 * 128 * 4L, 3 * 3 * 256 * 256 * 4L, 3 * 3 * 512 * 512 * 4L, 3 * 3 * 1024 * 1024 * 4L
  };

  /**
   * The weights assumed for a SadTalker-class renderer: of the order of its released 256 px
   * checkpoint (generator, keypoint and mapping nets); an assumption a real run replaces.
   */
  public static final long SADTALKER_WEIGHT_BYTES = 700 * MIB;

  private final long weightBytes;

  public RendererWorkload(long weightBytes) {
    if (weightBytes < 0) {
      throw new IllegalArgumentException("weight bytes must be >= 0, got " + weightBytes);
    }
    this.weightBytes = weightBytes;
  }

  public long weightBytes() {
    return weightBytes;
  }

  /** Places the weights: tensor after tensor until {@link #weightBytes} are resident. */
  List<CachingAllocator.Block> loadWeights(CachingAllocator allocator) {
    List<CachingAllocator.Block> blocks = new ArrayList<>();
    long left = weightBytes;
    for (int i = 0; left > 0; i++) {
      long size = Math.min(left, WEIGHT_TENSORS[i % WEIGHT_TENSORS.length]);
      blocks.add(allocator.malloc(size));
      left -= size;
    }
    return blocks;
  }

  /**
   * Runs a forward pass of {@code frames} frames of {@code pixels} pixels; returns the output's
   * block, which the caller frees when the batch ends. On an OOM every tensor of the pass is freed
   * first, as C++ unwinding frees libtorch's tensors, and the error propagates.
   */
  CachingAllocator.Block forward(CachingAllocator allocator, int frames, long pixels) {
    CachingAllocator.Block[] live = new CachingAllocator.Block[FORWARD.length];
    try {
      for (int i = 0; i < FORWARD.length; i++) {
        Step step = FORWARD[i];
        long bytes = bytes(step.mibPerFrame(), frames, pixels);
        CachingAllocator.Block workspace =
            step.convolution() ? allocator.malloc((long) (bytes * WORKSPACE_SHARE)) : null;
        try {
          live[i] = allocator.malloc(bytes);
        } finally {
          if (workspace != null) {
            allocator.free(workspace);
          }
        }
        for (int dead : step.frees()) {
          allocator.free(live[dead]);
          live[dead] = null;
        }
      }
      CachingAllocator.Block out = live[FORWARD.length - 1];
      live[FORWARD.length - 1] = null;
      return out;
    } finally {
      for (CachingAllocator.Block block : live) {
        if (block != null) {
          allocator.free(block);
        }
      }
    }
  }

  private static long bytes(double mibPerFrame, int frames, long pixels) {
    return Math.max(1, (long) (mibPerFrame * MIB * frames * pixels / PIXELS_256));
  }
}
