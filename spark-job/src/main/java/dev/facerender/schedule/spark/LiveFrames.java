package dev.facerender.schedule.spark;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Frames done, including what running tasks have rendered so far. The driver's accumulator only
 * merges a task's count when the task ends, so a bar fed by it moves per task; executors also send
 * each running task's accumulator value with every heartbeat, and this listener keeps the latest
 * per task until the task ends. Ended tasks are counted from their end events, not from the
 * accumulator, which is merged before the listener hears of the end: read together, the two would
 * count a task twice.
 */
public final class LiveFrames extends SparkListener implements LongSupplier, AutoCloseable {
  private final SparkContext context;
  private final LongAccumulator done;
  private final long base;
  private final LongAdder finished = new LongAdder();
  private final Map<Long, Long> running = new ConcurrentHashMap<>();
  // A heartbeat taken just before a task ended can reach the listener after its end.
  private final Set<Long> ended = ConcurrentHashMap.newKeySet();

  private LiveFrames(SparkContext context, LongAccumulator done) {
    this.context = context;
    this.done = done;
    this.base = done.value();
  }

  /**
   * Follows {@code done} through {@code context}'s heartbeats until closed; what the driver added
   * to it before this call (frames of waves committed earlier) is counted as done.
   */
  public static LiveFrames follow(SparkContext context, LongAccumulator done) {
    LiveFrames live = new LiveFrames(context, done);
    context.addSparkListener(live);
    return live;
  }

  @Override
  public long getAsLong() {
    // Removed from running before added to finished: a reader may undercount, never overcount.
    long sum = base + finished.sum();
    for (long frames : running.values()) {
      sum += frames;
    }
    return sum;
  }

  @Override
  public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    long id = done.id();
    for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> task :
        CollectionConverters.asJava(update.accumUpdates())) {
      for (AccumulableInfo info : CollectionConverters.asJava(task._4())) {
        long taskId = (Long) task._1();
        if (info.id() == id && info.update().isDefined() && !ended.contains(taskId)) {
          running.put(taskId, ((Number) info.update().get()).longValue());
        }
      }
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    long taskId = end.taskInfo().taskId();
    ended.add(taskId);
    running.remove(taskId);
    if (end.taskInfo().successful()) {
      for (AccumulableInfo info : CollectionConverters.asJava(end.taskInfo().accumulables())) {
        if (info.id() == done.id() && info.update().isDefined()) {
          finished.add(((Number) info.update().get()).longValue());
        }
      }
    }
  }

  @Override
  public void close() {
    context.removeSparkListener(this);
  }
}
