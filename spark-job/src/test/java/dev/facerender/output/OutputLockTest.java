package dev.facerender.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.io.InputException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A lock is taken over only when its owner is provably gone. */
class OutputLockTest {
  @TempDir Path dir;

  private OutputFolder folderWithLock(String content) throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve(OutputLock.NAME), content);
    return OutputFolder.of(new Configuration(), out.toString());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{\"run_id\":\"run-1\",\"host\":\"h",
        "{\"run_id\":\"run-1\",\"host\":\"somewhere\"}",
        "not json"
      })
  void aLockFileThatDoesNotParseIsNotTakenOverAndTheMessageSaysWhichFileToDelete(String content)
      throws Exception {
    OutputFolder out = folderWithLock(content);
    Path lock = dir.resolve("out").resolve(OutputLock.NAME);

    assertThatThrownBy(() -> OutputLock.acquire(out, "run-2"))
        .isInstanceOf(InputException.class)
        .hasMessageContaining("not a whole claim")
        .hasMessageContaining("is not taken over")
        .hasMessageContaining("delete " + out.child(OutputLock.NAME));
    assertThat(lock).hasContent(content);
  }

  @Test
  void aLockWhoseProcessHasEndedOnThisHostIsTakenOver() throws Exception {
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();
    String host = InetAddress.getLocalHost().getHostName();
    OutputFolder out =
        folderWithLock(
            "{\"run_id\":\"run-1\",\"host\":\""
                + host
                + "\",\"pid\":"
                + ended.pid()
                + ",\"started\":\"2026-01-01T00:00:00Z\"}");

    try (OutputLock lock = OutputLock.acquire(out, "run-2")) {
      lock.check();
      assertThat(
              new String(
                  Files.readAllBytes(dir.resolve("out").resolve(OutputLock.NAME)),
                  StandardCharsets.UTF_8))
          .contains("\"run_id\":\"run-2\"");
    }
    assertThat(dir.resolve("out").resolve(OutputLock.NAME)).doesNotExist();
  }
}
