package dev.facerender.run;

import dev.facerender.config.FacerenderConf;
import dev.facerender.config.FaultConf;
import dev.facerender.io.Tables;
import dev.facerender.job.Master;
import dev.facerender.job.RenderRequest;
import java.util.List;

/**
 * Which runs the local engine takes, from the request and the command line alone (no input is
 * read): a local master, no Spark settings of its own, Parquet input and no injected task failures.
 * Every mode and output runs on either engine. The input's layout is checked when it is opened.
 */
public final class LocalEngineScope {
  private LocalEngineScope() {}

  /**
   * Why only Spark can run {@code request} on {@code master}, or null when the local engine can.
   */
  static String refusal(RenderRequest request, String master, List<String> sparkSettings) {
    String reason = null;
    Master parsed = Master.of(master);
    if (!parsed.local()) {
      reason = "master " + master + " is not local, local[N] or local[*]";
    } else if (parsed.retriesTasks()) {
      reason = "master " + master + " retries failed tasks, which only Spark does";
    } else if (!sparkSettings.isEmpty()) {
      reason = "Spark settings are given: " + String.join(", ", sparkSettings);
    } else if (!Tables.isParquet(request.frames(), request.inputFormat())
        || !Tables.isParquet(request.sources(), request.inputFormat())) {
      reason = "the input is not Parquet";
    } else if (FacerenderConf.get(FaultConf.INJECT_TASK_FAILURE, request.conf())) {
      reason = "injected task failures test Spark's task retries";
    }
    return reason;
  }
}
