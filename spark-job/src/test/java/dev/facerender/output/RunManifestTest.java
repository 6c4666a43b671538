package dev.facerender.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A wave's commit moves its staged files into the tables and never replaces a committed file. */
class RunManifestTest {
  @TempDir Path dir;

  @Test
  void aStagedFileNamedAsACommittedOneIsRefusedAndTheCommittedFileKept() throws Exception {
    OutputFolder out = OutputFolder.of(new Configuration(), dir.toString());
    Files.createDirectories(dir.resolve("s0/frames"));
    Files.createDirectories(dir.resolve("s1/frames"));
    Files.writeString(dir.resolve("s0/frames/part-0.parquet"), "wave 0");
    Files.writeString(dir.resolve("s1/frames/part-0.parquet"), "wave 1");
    RunManifest manifest = new RunManifest(out, "run");
    manifest.commit(wave(0, "s0/frames/part-0.parquet"));
    assertThat(dir.resolve("frames/part-0.parquet")).hasContent("wave 0");

    assertThatThrownBy(() -> manifest.commit(wave(1, "s1/frames/part-0.parquet")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("would replace frames/part-0.parquet");
    assertThat(dir.resolve("frames/part-0.parquet")).hasContent("wave 0");
    assertThat(dir.resolve("s1/frames/part-0.parquet")).hasContent("wave 1");

    // A commit interrupted after its move is published again without complaint.
    manifest.publish(wave(0, "s0/frames/part-0.parquet"));
    assertThat(dir.resolve("frames/part-0.parquet")).hasContent("wave 0");
  }

  private static RunManifest.Wave wave(int wave, String staged) {
    return new RunManifest.Wave(
        wave, 1, 1, 0, 0, 0, List.of(new RunManifest.Move(staged, "frames/part-0.parquet")));
  }
}
