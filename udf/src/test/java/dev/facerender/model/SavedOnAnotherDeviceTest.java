package dev.facerender.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.codec.RgbImage;
import dev.facerender.codec.TensorFrames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TorchScript file remembers the device each tensor was saved from; Facerender reads every file
 * onto the CPU first and then moves it where the task renders, so a file saved on a GPU passes the
 * driver's CPU preflight and lands on the task's device rather than the one it was saved from.
 */
class SavedOnAnotherDeviceTest {
  private static final int SIZE = 48;

  @TempDir Path dir;

  @Test
  void aModuleSavedOnAGpuLoadsOnTheCpuAndRendersAsTheBuiltIn() throws IOException {
    Path saved = dir.resolve("warp.pt");
    try (JitModule warp = BuiltinModels.compile(BuiltinModels.WARP)) {
      warp.save(saved.toString());
    }
    Path onGpu = dir.resolve("warp-saved-on-cuda.pt");
    rewriteStorageLocation(saved, onGpu, "cpu", "cuda:0");

    // The file really names a GPU: read as saved, this CPU build cannot place it.
    assertThatThrownBy(() -> torch.load(onGpu.toString()).close())
        .hasMessageContaining("'CUDA' backend");
    try (FrameModel model = Models.load(onGpu.toString(), "cpu:0");
        FrameModel builtin = Models.load(BuiltinModels.WARP)) {
      ModelPreflight.check(model, BuiltinModels.WARP_COEFFS, 1);
      assertThat(jawOpen(model)).isEqualTo(jawOpen(builtin));
    }
  }

  @Test
  void aModuleMovedToANamedDeviceBeforeSavingLoadsWhereAsked() throws IOException {
    Path saved = dir.resolve("warp-cpu0.pt");
    try (JitModule warp = BuiltinModels.compile(BuiltinModels.WARP);
        Device named = new Device("cpu:0")) {
      warp.to(named);
      warp.save(saved.toString());
    }
    try (FrameModel model = Models.load(saved.toString(), "cpu:0");
        FrameModel builtin = Models.load(BuiltinModels.WARP)) {
      assertThat(jawOpen(model)).isEqualTo(jawOpen(builtin));
    }
  }

  @Test
  void anEnhancerSavedOnAGpuLoadsOnTheCpu() throws IOException {
    Path saved = dir.resolve("sharpen.pt");
    try (JitModule sharpen = BuiltinModels.compileEnhancer(BuiltinModels.SHARPEN)) {
      // The built-in enhancer has no tensor to move: give it one, as a trained one would have.
      sharpen.register_buffer("scale", torch.ones(1));
      sharpen.save(saved.toString());
    }
    Path onGpu = dir.resolve("sharpen-saved-on-cuda.pt");
    rewriteStorageLocation(saved, onGpu, "cpu", "cuda:1");
    try (FrameEnhancer enhancer = Models.loadEnhancer(onGpu.toString(), "cpu")) {
      ModelPreflight.check(enhancer);
    }
  }

  private static byte[] jawOpen(FrameModel model) {
    RgbImage face = WarpModelTest.TestFaces.face(SIZE);
    float[] coeffs = new float[BuiltinModels.WARP_COEFFS];
    coeffs[BuiltinModels.JAW] = 0.8f;
    try (PointerScope scope = new PointerScope()) {
      Tensor source = TensorFrames.toTensor(face);
      Tensor c = torch.tensor(coeffs).view(1, coeffs.length);
      return TensorFrames.toFrameBytes(model.forward(source, c, null), true).get(0);
    }
  }

  /**
   * Writes a copy of a TorchScript archive whose tensors say they were saved on {@code to}, as
   * {@code torch.jit.save} on that device writes them: each storage in {@code data.pkl} is a
   * persistent id {@code ('storage', FloatStorage, key, LOCATION, numel)}, the location a pickled
   * string (opcode {@code X}, 4-byte little-endian length, UTF-8).
   */
  static void rewriteStorageLocation(Path from, Path to, String location, String newLocation)
      throws IOException {
    byte[] old = pickledString(location);
    byte[] replacement = pickledString(newLocation);
    int replaced = 0;
    try (ZipFile in = new ZipFile(from.toFile());
        OutputStream file = Files.newOutputStream(to);
        ZipOutputStream out = new ZipOutputStream(file)) {
      for (ZipEntry entry : Collections.list(in.entries())) {
        byte[] bytes;
        try (InputStream stream = in.getInputStream(entry)) {
          bytes = stream.readAllBytes();
        }
        if (entry.getName().endsWith("/data.pkl")) {
          ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
          for (int i = 0; i < bytes.length; ) {
            if (i + old.length <= bytes.length
                && Arrays.equals(bytes, i, i + old.length, old, 0, old.length)) {
              rewritten.writeBytes(replacement);
              i += old.length;
              replaced++;
            } else {
              rewritten.write(bytes[i++]);
            }
          }
          bytes = rewritten.toByteArray();
        }
        // Stored, as torch.jit.save writes its records.
        ZipEntry copy = new ZipEntry(entry.getName());
        copy.setMethod(ZipEntry.STORED);
        copy.setSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        copy.setCrc(crc.getValue());
        out.putNextEntry(copy);
        out.write(bytes);
        out.closeEntry();
      }
    }
    assertThat(replaced).as("storages saved on " + location + " in " + from).isPositive();
  }

  private static byte[] pickledString(String value) {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    byte[] pickled = new byte[5 + utf8.length];
    pickled[0] = 'X';
    pickled[1] = (byte) utf8.length;
    System.arraycopy(utf8, 0, pickled, 5, utf8.length);
    return pickled;
  }
}
