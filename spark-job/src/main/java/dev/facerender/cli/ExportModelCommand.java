package dev.facerender.cli;

import dev.facerender.model.ModelExport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code facerender export-model}: any model Facerender runs as a TorchScript file, with the inputs
 * Facerender feeds it beside it ({@code FILE.json}), so that plain PyTorch (bench/gpu-probe.py)
 * times the same model on the same inputs: the ceiling a render's model-only speed is compared
 * with.
 */
@Command(
    name = "export-model",
    mixinStandardHelpOptions = true,
    description =
        "Save a model as a TorchScript file (torch.jit.load reads it) and FILE.json, the input"
            + " shapes Facerender feeds it, for bench/gpu-probe.py.")
final class ExportModelCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "MODEL",
      description =
          "builtin:warp, builtin:sadtalker-arch[?width=W], builtin:sharpen or a TorchScript file")
  String model;

  @Option(names = "--out", required = true, description = "TorchScript file to write")
  Path out;

  @Option(
      names = "--device",
      defaultValue = "cpu",
      description =
          "Device the saved tensors name: cpu (any machine loads the file) or cuda:N (default:"
              + " ${DEFAULT-VALUE})")
  String device;

  @Option(
      names = "--size",
      defaultValue = "256",
      description =
          "Frame width and height the inputs are described at (default: ${DEFAULT-VALUE})")
  int size;

  @Option(
      names = "--window-radius",
      defaultValue = "0",
      description =
          "As render's --window-radius: coeffs [N,C,2R+1], or [N,C] at 0 (SadTalker: 13)"
              + " (default: ${DEFAULT-VALUE})")
  int windowRadius;

  @Option(
      names = "--coeff-count",
      defaultValue = "70",
      description = "Coefficients per frame, C (default: ${DEFAULT-VALUE})")
  int coeffCount;

  @Override
  public Integer call() throws Exception {
    check(size >= 1, "--size must be >= 1, got " + size);
    check(windowRadius >= 0, "--window-radius must be >= 0, got " + windowRadius);
    check(coeffCount >= 1, "--coeff-count must be >= 1, got " + coeffCount);
    check(
        device.equals("cpu") || device.matches("cuda(:\\d+)?"),
        "--device must be cpu or cuda:N, got '" + device + "'");
    ModelExport.Exported exported = ModelExport.save(model, out, device);
    ModelInputs inputs = ModelInputs.of(exported, size, coeffCount, 2 * windowRadius + 1);
    inputs.write(ModelInputs.sidecar(out));
    System.out.println(inputs.describe());
    return 0;
  }

  private void check(boolean condition, String message) {
    if (!condition) {
      throw new ParameterException(spec.commandLine(), message);
    }
  }
}
