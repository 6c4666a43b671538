package dev.facerender.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationStoreTest {
  private static final Calibration MEASURED =
      new Calibration(
          1 << 20,
          3 << 20,
          true,
          List.of(new ThroughputPoint(1, 4 << 20, 250.5), new ThroughputPoint(2, 7 << 20, 401.25)),
          0);

  @Test
  void aKeptCalibrationComesBackAsItWasUnderItsKeyOnly(@TempDir Path dir) {
    CalibrationStore store = CalibrationStore.at(dir.toString());
    store.save("warp|cpu|256x256", MEASURED);
    assertThat(store.load("warp|cpu|256x256")).contains(MEASURED);
    assertThat(store.load("warp|cpu|512x512")).isEmpty();
  }

  @Test
  void aBrokenOrForeignFileMeansCalibrateNotFail(@TempDir Path dir) throws Exception {
    CalibrationStore store = CalibrationStore.at(dir.toString());
    Files.writeString(dir.resolve(CalibrationStore.fileName("k")), "fixed=oops\n");
    assertThat(store.load("k")).isEmpty();
    Files.write(
        dir.resolve(CalibrationStore.fileName("k")), CalibrationStore.format("other", MEASURED));
    assertThat(store.load("k")).isEmpty();
  }

  @Test
  void noneTurnsPersistenceOff(@TempDir Path dir) {
    CalibrationStore off = CalibrationStore.at("none");
    off.save("k", MEASURED);
    assertThat(off.enabled()).isFalse();
    assertThat(off.load("k")).isEmpty();
  }
}
