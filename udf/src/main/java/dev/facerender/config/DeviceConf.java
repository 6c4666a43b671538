package dev.facerender.config;

import static dev.facerender.config.ConfigKey.declare;

import java.util.List;

/** Where a run on this machine renders: the device choice and the GPU's render slots. */
public final class DeviceConf {
  /** The values {@code --device} takes. */
  public static final String DEVICE_VALUES = "auto|cpu|cuda|cuda:[0-9]{1,4}";

  public static final ConfigKey<String> DEVICE =
      declare(
          "device",
          "--device",
          "Where a run on this machine renders (local engine, local Spark): auto takes every GPU"
              + " libtorch can use (GPU natives, a GPU listed by nvidia-smi, CUDA_VISIBLE_DEVICES"
              + " applied) and else the CPU, saying why in run.json; cuda or cuda:N fail with the"
              + " fix when that GPU cannot be used; on a cluster, tasks take the GPU Spark assigns",
          "string",
          "auto",
          String::strip,
          s -> s.matches(DEVICE_VALUES),
          "auto, cpu, cuda or cuda:N");
  public static final ConfigKey<Integer> GPU_SLOTS =
      declare(
          "gpuSlots",
          "--gpu-slots",
          "Local engine on GPUs: tasks rendering on each GPU at once; the machine's other cores"
              + " encode their frames",
          "int",
          "2",
          Integer::valueOf,
          n -> n >= 1 && n <= 64,
          "in [1, 64]");

  public static final List<ConfigKey<?>> ALL = List.of(DEVICE, GPU_SLOTS);

  private DeviceConf() {}
}
