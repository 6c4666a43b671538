package dev.facerender.device;

/** What renders: libtorch's CPU, a CUDA GPU, or the CPU standing in for a simulated GPU. */
public enum DeviceKind {
  CPU,
  CUDA,
  SIMULATED_GPU
}
