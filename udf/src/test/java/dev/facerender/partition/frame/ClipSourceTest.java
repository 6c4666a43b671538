package dev.facerender.partition.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.partition.Fixtures;
import org.junit.jupiter.api.Test;

/** A clip's source lives as long as its last holder: its owner and every batch using it. */
class ClipSourceTest {
  @Test
  void aClipIsFreedOnceItsLastBatchEndsAndNeverReused() {
    ClipSource clip = new ClipSource("c", Fixtures.rgb(16), null);
    clip.retain(); // a batch
    clip.release(); // the owner moves on
    assertThat(clip.isClosed()).isFalse();
    clip.release(); // the batch ends
    assertThat(clip.isClosed()).isTrue();
    assertThatThrownBy(clip::release).hasMessageContaining("released more often than held");
    assertThatThrownBy(clip::retain).hasMessageContaining("closed");
    assertThatThrownBy(() -> clip.modelInput(null, t -> t)).hasMessageContaining("freed");
  }
}
