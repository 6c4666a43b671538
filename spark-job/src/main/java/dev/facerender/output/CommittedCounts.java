package dev.facerender.output;

/**
 * What a run's tables hold, read back from the files ({@code output.query.RunTables#counts}): rows
 * and distinct (clip_id, frame_index) keys of frames and errors, clips (all, and those with frame
 * rows), and for a video run what its {@code videos_manifest} lists ({@code videos}, else null).
 * Only key columns are read, never the images.
 */
public record CommittedCounts(
    long frameRows,
    long frameKeys,
    long errorRows,
    long errorFrames,
    long clips,
    long frameClips,
    VideoCounts videos) {
  /** Frames that made it: frame rows, or the frames in videos when frames/ keeps none. */
  public long accepted(boolean framesKept) {
    return videos != null && !framesKept ? videos.frames() : frameRows;
  }

  /**
   * Null when every one of {@code inputFrames} is in the tables exactly once (a frame row with its
   * own key, or an error row), else what is wrong, in numbers.
   */
  public String problem(long inputFrames, String where) {
    return problem(inputFrames, where, true);
  }

  /**
   * As {@link #problem(long, String)}, with videos: one per clip with accepted frames, none twice,
   * holding those frames; {@code framesKept} says whether frames/ has them too.
   */
  public String problem(long inputFrames, String where, boolean framesKept) {
    String videoProblem = videos == null ? null : videos.problem(this, framesKept, where);
    if (videoProblem != null) {
      return videoProblem;
    }
    long accepted = accepted(framesKept);
    if (frameRows != frameKeys) {
      return where
          + " holds "
          + frameRows
          + " frame rows but "
          + frameKeys
          + " distinct (clip_id, frame_index) keys: "
          + (frameRows - frameKeys)
          + " duplicate frames";
    }
    if (accepted + errorFrames != inputFrames) {
      return where
          + " holds "
          + accepted
          + " frames + "
          + errorFrames
          + " rejected frames = "
          + (accepted + errorFrames)
          + ", but the input has "
          + inputFrames
          + " frames: "
          + (accepted + errorFrames < inputFrames ? "frames are missing" : "frames are extra");
    }
    return null;
  }
}
