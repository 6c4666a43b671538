package dev.facerender.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.codec.Psnr;
import dev.facerender.config.Precision;
import dev.facerender.device.CpuDevice;
import dev.facerender.model.BuiltinModels;
import dev.facerender.partition.Fixtures;
import java.util.List;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class PrecisionSweepTest {
  @Test
  void eachPrecisionGetsItsSpeedAndItsWorstFrameAgainstFp32() {
    List<PrecisionSweep.Row> rows =
        PrecisionSweep.run(
            BuiltinModels.WARP,
            new CpuDevice(1.0),
            Fixtures.rgb(64),
            70,
            1,
            4,
            2,
            1,
            List.of(Precision.BF16, Precision.FP32, Precision.TF32));
    assertThat(rows)
        .extracting(PrecisionSweep.Row::precision)
        .containsExactly("fp32", "bf16", "tf32");
    assertThat(rows).allSatisfy(r -> assertThat(r.framesPerSecond()).isPositive());
    assertThat(rows.get(0).worstPsnrDb()).isEqualTo(Psnr.IDENTICAL);
    assertThat(rows.get(1).worstPsnrDb()).isBetween(40.0, 1e9);
    // No tensor cores here: TF32 changes nothing on a CPU.
    assertThat(rows.get(2).worstPsnrDb()).isEqualTo(Psnr.IDENTICAL);
  }

  @Test
  void theSweepRunsOnTheThreadsItIsGiven() {
    int before = torch.get_num_threads();
    // More than the machine's cores: a count no default could give.
    int asked = Runtime.getRuntime().availableProcessors() + 1;
    try {
      PrecisionSweep.run(
          BuiltinModels.WARP,
          new CpuDevice(1.0),
          Fixtures.rgb(32),
          70,
          1,
          1,
          2,
          asked,
          List.of(Precision.FP32));
      assertThat(torch.get_num_threads()).isEqualTo(asked);
    } finally {
      torch.set_num_threads(before);
    }
  }
}
