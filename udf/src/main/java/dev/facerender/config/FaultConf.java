package dev.facerender.config;

import static dev.facerender.config.ConfigKey.declare;

import java.util.List;

/**
 * Fault injection: rehearsals of what a cluster does to a run (OOMs, a budget lowered mid-run, a
 * task attempt that dies, a report that cannot be drawn), all off by default.
 */
public final class FaultConf {
  public static final ConfigKey<Double> INJECT_OOM_RATE =
      declare(
          "injectOomRate",
          "--inject-oom-rate",
          "Fault injection: each batch attempt fails with a CUDA-shaped OOM with this probability",
          "double",
          "0",
          Double::valueOf,
          p -> p >= 0 && p < 1,
          "in [0, 1)");
  public static final ConfigKey<Integer> INJECT_OOM_ABOVE =
      declare(
          "injectOomAbove",
          "--inject-oom-above",
          "Fault injection: any batch above this many frames fails with an OOM; 0 = off",
          "int",
          "0",
          Integer::valueOf,
          n -> n >= 0,
          ">= 0");
  public static final ConfigKey<Long> INJECT_CPU_MEMORY =
      declare(
          "injectCpuMemory",
          "--inject-cpu-memory",
          "Fault injection: lower the CPU budget (--cpu-memory) to this size once a task has"
              + " started --inject-cpu-memory-after batches, as another tenant taking memory"
              + " mid-run would; the executor keeps the lower budget; 0 = off",
          "size",
          "0",
          DataSize::parse,
          n -> n >= 0,
          ">= 0");
  public static final ConfigKey<Integer> INJECT_CPU_MEMORY_AFTER =
      declare(
          "injectCpuMemoryAfter",
          "--inject-cpu-memory-after",
          "Fault injection: batch attempts a task starts at the full CPU budget before"
              + " --inject-cpu-memory lowers it",
          "int",
          "1",
          Integer::valueOf,
          n -> n >= 0,
          ">= 0");
  public static final ConfigKey<Long> SEED =
      declare(
          "seed",
          "--seed",
          "Seed for fault injection",
          "long",
          "0",
          Long::valueOf,
          n -> true,
          "a number");
  public static final ConfigKey<Boolean> INJECT_TASK_FAILURE =
      declare(
          "injectTaskFailure",
          "--inject-task-failure",
          "Fault injection: the first attempt of every task dies after its first batch",
          "boolean",
          "false",
          Boolean::valueOf,
          b -> true,
          "true or false");
  public static final ConfigKey<Boolean> INJECT_REPORT_FAILURE =
      declare(
          "injectReportFailure",
          "--inject-report-failure",
          "Fault injection: the report fails as the JDK's font manager does on a machine without"
              + " fonts; the run still succeeds, with the reason under run.json's report",
          "boolean",
          "false",
          Boolean::valueOf,
          b -> true,
          "true or false");

  public static final List<ConfigKey<?>> ALL =
      List.of(
          INJECT_OOM_RATE,
          INJECT_OOM_ABOVE,
          INJECT_CPU_MEMORY,
          INJECT_CPU_MEMORY_AFTER,
          SEED,
          INJECT_TASK_FAILURE,
          INJECT_REPORT_FAILURE);

  private FaultConf() {}
}
