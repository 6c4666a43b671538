package dev.facerender.io;

import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Rows of the errors and metrics tables ({@link Schemas#ERRORS}, {@link Schemas#METRICS}) to and
 * from the records the executor reports.
 */
public final class TableRows {
  private TableRows() {}

  public static Row row(FrameError e) {
    return RowFactory.create(
        e.runId(), e.clipId(), e.frameIndex(), e.stage(), e.code(), e.message());
  }

  public static Row row(BatchMetrics m) {
    return RowFactory.create(
        m.runId(),
        m.stage(),
        m.executor(),
        m.host(),
        m.partition(),
        m.attempt(),
        m.batchSeq(),
        m.device(),
        m.level(),
        m.frameWidth(),
        m.frameHeight(),
        m.plannedBatch(),
        m.ceiling(),
        m.actualBatch(),
        m.frames(),
        m.errors(),
        m.ooms(),
        m.splits(),
        m.freeBytes(),
        m.totalBytes(),
        m.peakBytes(),
        m.perFrameBytes(),
        m.fixedBytes(),
        m.calibrationSource(),
        m.calibrationNanos(),
        m.decodeNanos(),
        m.renderNanos(),
        m.encodeNanos(),
        m.startMillis(),
        m.endMillis(),
        m.framesPerSecond());
  }

  /** A row of {@link #ERRORS} back as the record. */
  public static FrameError error(Row r) {
    return new FrameError(
        r.getString(0),
        r.getString(1),
        r.isNullAt(2) ? null : r.getInt(2),
        r.getString(3),
        r.getString(4),
        r.getString(5));
  }

  /** A row of {@link #METRICS} back as the record. */
  public static BatchMetrics metrics(Row r) {
    return new BatchMetrics(
        r.getAs("run_id"),
        r.getAs("stage"),
        r.getAs("executor"),
        r.getAs("host"),
        r.<Integer>getAs("partition"),
        r.<Integer>getAs("attempt"),
        r.<Long>getAs("batch_seq"),
        r.getAs("device"),
        r.getAs("level"),
        r.<Integer>getAs("frame_width"),
        r.<Integer>getAs("frame_height"),
        r.<Integer>getAs("planned_batch"),
        r.<Integer>getAs("ceiling"),
        r.<Integer>getAs("actual_batch"),
        r.<Integer>getAs("frames"),
        r.<Integer>getAs("errors"),
        r.<Integer>getAs("ooms"),
        r.<Integer>getAs("splits"),
        r.<Long>getAs("free_bytes"),
        r.<Long>getAs("total_bytes"),
        r.<Long>getAs("peak_bytes"),
        r.<Long>getAs("per_frame_bytes"),
        r.<Long>getAs("fixed_bytes"),
        r.getAs("calibration_source"),
        r.<Long>getAs("calibration_nanos"),
        r.<Long>getAs("decode_nanos"),
        r.<Long>getAs("render_nanos"),
        r.<Long>getAs("encode_nanos"),
        r.<Long>getAs("start_millis"),
        r.<Long>getAs("end_millis"),
        r.<Double>getAs("frames_per_second"));
  }
}
