package dev.facerender.cli;

import dev.facerender.cli.options.ConfigOptions;
import dev.facerender.config.ConfigException;
import dev.facerender.io.InputException;
import dev.facerender.job.Failures;
import dev.facerender.job.RunFailedException;
import dev.facerender.model.ModelException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code facerender} command line. */
@Command(
    name = "facerender",
    mixinStandardHelpOptions = true,
    version = "facerender 0.1.0",
    description = "Render talking-head video frames in bulk with Spark and libtorch.",
    subcommands = {
      GenerateCommand.class,
      RenderCommand.class,
      DemoCommand.class,
      DoctorCommand.class,
      BenchmarkCommand.class,
      ExportCommand.class,
      ExportModelCommand.class,
      ImportCommand.class,
      ConfigCommand.class
    })
public final class Main implements Runnable {
  /**
   * Exit code of a run stopped by bad input (a table, an option, a setting), a bad model or too
   * many rejected rows: one line says what and how to fix it. picocli's own for a bad option.
   */
  static final int INPUT_ERROR = 2;

  /**
   * Exit code of a run stopped by anything else, a bug included: a stack trace, then one line
   * (picocli's code for an exception it did not map).
   */
  static final int SOFTWARE_ERROR = 1;

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("render")) {
      RenderCommand.preloadNatives();
    }
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    return execute(commandLine(), args);
  }

  /** The command line with every command and the exit code mapping, not yet run. */
  static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Main());
    ConfigOptions.addTo(commandLine.getSubcommands().get("render").getCommandSpec());
    ConfigOptions.addTo(commandLine.getSubcommands().get("demo").getCommandSpec());
    ConfigOptions.addTo(commandLine.getSubcommands().get("doctor").getCommandSpec());
    ConfigOptions.addTo(commandLine.getSubcommands().get("benchmark").getCommandSpec());
    ConfigOptions.addTo(
        commandLine.getSubcommands().get("export").getCommandSpec(),
        dev.facerender.config.VideoConf.ALL.stream()
            .filter(k -> k != dev.facerender.config.VideoConf.VIDEO)
            .toList());
    commandLine.setExecutionExceptionHandler(
        (error, cl, parsed) -> {
          PrintWriter err = cl.getErr();
          if (isInputError(error)) {
            err.println("facerender: " + error.getMessage());
            err.flush();
            return INPUT_ERROR;
          }
          return unexpected(error, err);
        });
    return commandLine;
  }

  /** Runs {@code args} on {@code commandLine} (from {@link #commandLine}); the exit code. */
  static int execute(CommandLine commandLine, String... args) {
    try {
      return commandLine.execute(args);
    } catch (Error error) {
      // picocli hands only exceptions to the handler; an error it lets through is told the same
      // way.
      if (Failures.isFatal(error)) {
        throw error;
      }
      return unexpected(error, commandLine.getErr());
    }
  }

  /**
   * Whether {@code error} is the user's to fix, told in its message. A bare {@link
   * IllegalArgumentException} is not: it is as likely a bug (an argument our own code passed) as a
   * bad value, and a bug needs its stack trace. Checks of what the user gave throw the types below.
   */
  static boolean isInputError(Throwable error) {
    return error instanceof InputException
        || error instanceof ConfigException
        || error instanceof ModelException
        || error instanceof RunFailedException
        || error instanceof dev.facerender.sadtalker.ImportException;
  }

  /** The stack trace for whoever debugs it, then what happened, as the last line. */
  private static int unexpected(Throwable error, PrintWriter err) {
    error.printStackTrace(err);
    err.println("facerender: failed: " + Failures.describe(error));
    err.flush();
    return SOFTWARE_ERROR;
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
