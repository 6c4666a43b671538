package dev.facerender.metrics;

import java.io.Serializable;

/**
 * One rendered batch: what went into {@code metrics/}. Byte figures are -1 where the device does
 * not report them. {@code plannedBatch} is what sizing chose for the batch's frame size ({@code
 * frameWidth x frameHeight}), {@code ceiling} what the adaptive ceiling allowed when this batch
 * started, {@code actualBatch} how many frames it held. {@code calibrationSource} is {@code
 * measured}, {@code cached} or {@code none} (a fixed batch); {@code calibrationNanos} is what
 * measuring cost this task.
 */
public record BatchMetrics(
    String runId,
    String stage,
    String executor,
    String host,
    int partition,
    int attempt,
    long batchSeq,
    String device,
    String level,
    int frameWidth,
    int frameHeight,
    int plannedBatch,
    int ceiling,
    int actualBatch,
    int frames,
    int errors,
    int ooms,
    int splits,
    long freeBytes,
    long totalBytes,
    long peakBytes,
    long perFrameBytes,
    long fixedBytes,
    String calibrationSource,
    long calibrationNanos,
    long decodeNanos,
    long renderNanos,
    long encodeNanos,
    long startMillis,
    long endMillis,
    double framesPerSecond)
    implements Serializable {}
