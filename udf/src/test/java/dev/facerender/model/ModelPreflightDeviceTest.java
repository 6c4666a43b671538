package dev.facerender.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The driver's model check feeds its test tensors where the model lives. A model on a GPU given
 * host tensors failed inside TorchScript on an H200, so a plain local render on a GPU machine
 * stopped before its first frame. No GPU here: libtorch's {@code meta} device (shapes, no data)
 * stands in for "not the CPU", and a fake model records the devices of what it is given.
 */
class ModelPreflightDeviceTest {
  /** Records its inputs' devices; returns mid-grey CPU frames of the batch's shape. */
  private static final class DeviceRecordingModel implements FrameModel {
    final List<String> devices = new ArrayList<>();

    @Override
    public String spec() {
      return "device-recorder";
    }

    @Override
    public Tensor forward(Tensor source, Tensor coeffs, Tensor sourceCoeffs) {
      devices.add("source " + source.device().str().getString());
      devices.add("coeffs " + coeffs.device().str().getString());
      devices.add("sourceCoeffs " + sourceCoeffs.device().str().getString());
      return torch.full(new long[] {source.size(0), 3, 128, 128}, new Scalar(0.5));
    }

    @Override
    public boolean takesSourceCoeffs() {
      return true;
    }

    @Override
    public boolean hasEncodeSource() {
      return true;
    }

    @Override
    public Tensor encodeSource(Tensor source) {
      devices.add("encode_source " + source.device().str().getString());
      return source;
    }

    @Override
    public long parameterCount() {
      return 0;
    }

    @Override
    public void close() {}
  }

  @Test
  void everyTestTensorIsOnTheModelsDevice() {
    DeviceRecordingModel model = new DeviceRecordingModel();
    ModelPreflight.check(model, 70, 27, "meta");
    assertThat(model.devices)
        .containsExactly("encode_source meta", "source meta", "coeffs meta", "sourceCoeffs meta");
  }

  @Test
  void onTheCpuTheTensorsStayOnTheCpu() {
    DeviceRecordingModel model = new DeviceRecordingModel();
    ModelPreflight.check(model, 70, 1);
    assertThat(model.devices)
        .containsExactly("encode_source cpu", "source cpu", "coeffs cpu", "sourceCoeffs cpu");
  }
}
