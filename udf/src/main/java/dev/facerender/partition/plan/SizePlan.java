package dev.facerender.partition.plan;

import dev.facerender.retry.AdaptiveCeiling;

/**
 * Planning for one frame size in one task: the plan sizing made for it and the ceiling OOMs at that
 * size taught. Sizes never share a ceiling: an OOM at 1024 px says nothing about 256 px.
 */
public record SizePlan(
    int width, int height, BatchPlanner.Planned planned, AdaptiveCeiling ceiling) {
  int batch() {
    return planned.plan().batch();
  }
}
