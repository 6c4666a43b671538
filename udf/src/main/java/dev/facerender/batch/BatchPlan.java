package dev.facerender.batch;

import java.io.Serializable;

/** A planned batch size and the arithmetic behind it. */
public record BatchPlan(int batch, int memoryLimit, long taskBudgetBytes, String reason)
    implements Serializable {
  public BatchPlan {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    }
  }
}
