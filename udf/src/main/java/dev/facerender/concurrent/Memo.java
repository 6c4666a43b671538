package dev.facerender.concurrent;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Values computed once per key and shared, computed outside the map's locks: a slow computation
 * (loading a model, calibrating a device) for one key never blocks another key, and callers for the
 * same key wait for the one computing it. A failed computation is not kept: its waiters get its
 * error and the next caller tries again.
 */
public final class Memo<K, V> {
  private final Map<K, CompletableFuture<V>> values = new ConcurrentHashMap<>();

  public V get(K key, Function<K, V> compute) {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> existing = values.putIfAbsent(key, mine);
    if (existing != null) {
      return Futures.join(existing);
    }
    try {
      V value = compute.apply(key);
      mine.complete(value);
      return value;
    } catch (RuntimeException | Error e) {
      values.remove(key, mine);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  /** The values computed so far, removed from the memo (for closing them). */
  public Collection<V> drain() {
    java.util.List<V> drained = new java.util.ArrayList<>();
    for (K key : values.keySet()) {
      CompletableFuture<V> future = values.remove(key);
      if (future != null && future.isDone() && !future.isCompletedExceptionally()) {
        drained.add(future.join());
      }
    }
    return drained;
  }
}
