package dev.facerender.run;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The CLI in a child JVM, as a user runs it, so a test can kill the driver outright. */
final class ChildRender {
  private ChildRender() {}

  /** Starts {@code facerender ARGS} with this JVM's flags and class path; output to {@code log}. */
  static Process start(Path log, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      // The heap is this test's to choose; agents (coverage, debuggers) stay with the parent.
      if (!flag.startsWith("-Xmx")
          && !flag.startsWith("-agent")
          && !flag.startsWith("-javaagent")) {
        command.add(flag);
      }
    }
    command.add("-Xmx1g");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.facerender.cli.Main");
    command.addAll(args);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }
}
