package dev.facerender.partition.sink;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one task attempt sends the driver about its error, metrics and video rows: the files it
 * wrote them to (null when it had none) and counts per error code, never the rows themselves, so
 * the driver's share stays bounded by tasks x error codes however many rows or batches a task has.
 */
public record TaskRows(
    int partition,
    int attempt,
    String errorsFile,
    long errorRows,
    String metricsFile,
    long metricsRows,
    String videosFile,
    long videoRows,
    Map<String, Long> errorCodes)
    implements Serializable {
  /**
   * How the row files hold a row: one JSON object of the record per line (NaN allowed). Derived
   * getters (FrameError.isFrame) are written too and ignored on reading.
   */
  public static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  public TaskRows {
    if (errorRows < 0 || metricsRows < 0 || videoRows < 0) {
      throw new IllegalArgumentException(
          "negative row count: " + errorRows + ", " + metricsRows + ", " + videoRows);
    }
    if ((errorsFile == null) != (errorRows == 0)
        || (metricsFile == null) != (metricsRows == 0)
        || (videosFile == null) != (videoRows == 0)) {
      throw new IllegalArgumentException("a file is named exactly when it holds rows");
    }
    errorCodes = new TreeMap<>(errorCodes);
  }
}
