package dev.facerender.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.file.AccessDeniedException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * What a failure says to a user: the message of the exception that explains it, not of the wrappers
 * that carried it (a reflective call's, another thread's, a class initializer's), and which
 * failures a run must not survive.
 */
public final class Failures {
  /** Classes whose name adds nothing to their message. */
  private static final Set<Class<?>> GENERIC =
      Set.of(
          Throwable.class,
          Exception.class,
          RuntimeException.class,
          Error.class,
          IllegalStateException.class,
          IllegalArgumentException.class,
          IOException.class,
          UncheckedIOException.class);

  private Failures() {}

  /**
   * One line for {@code error}: the message of its first cause that is not a wrapper, prefixed with
   * that cause's simple class name unless the class is generic or the project's own; the class name
   * alone when there is no message.
   */
  public static String describe(Throwable error) {
    Throwable cause = explaining(error);
    String message = cause.getMessage();
    String name = cause.getClass().getSimpleName();
    if (message == null || message.isBlank() || message.equals("null")) {
      return name.isEmpty() ? cause.getClass().getName() : name;
    }
    int end = message.indexOf('\n');
    String line = end < 0 ? message : message.substring(0, end);
    boolean plain =
        GENERIC.contains(cause.getClass())
            || cause.getClass().getName().startsWith("dev.facerender.");
    return plain ? line : name + ": " + line;
  }

  /** The first throwable in {@code error}'s cause chain that is not a wrapper around the next. */
  static Throwable explaining(Throwable error) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Throwable t = error;
    while (t.getCause() != null && t.getCause() != t && seen.add(t) && isWrapper(t)) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * Whether a run must not go on after {@code error}: the JVM's own errors (out of memory, a stack
   * overflow). An {@link InternalError} with a cause is a library reporting its own failure, not
   * the JVM: the JDK's font manager throws one around its constructor's exception when the machine
   * has no fonts.
   */
  public static boolean isFatal(Throwable error) {
    if (error instanceof InternalError && error.getCause() != null) {
      return false;
    }
    return error instanceof VirtualMachineError;
  }

  private static boolean isWrapper(Throwable t) {
    if (t instanceof InvocationTargetException
        || t instanceof UndeclaredThrowableException
        || t instanceof ExecutionException
        || t instanceof CompletionException
        || t instanceof ExceptionInInitializerError) {
      return true;
    }
    // new RuntimeException(cause) and the like take the cause's toString() as their message.
    String message = t.getMessage();
    return message == null || message.isBlank() || message.equals(t.getCause().toString());
  }

  /** "The file system is out of space" and the like, from anywhere in the cause chain; or null. */
  public static String outputProblem(Throwable error) {
    // Throwable.getCause() never returns the throwable itself (a self-cause reads as null), but a
    // chain can loop through two or more: each throwable is looked at once.
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
      String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (message.contains("no space left on device")) {
        return "The file system ran out of space (No space left on device)";
      }
      if (message.contains("disk quota exceeded")) {
        return "The disk quota ran out (Disk quota exceeded)";
      }
      if (t instanceof AccessDeniedException
          || t.getClass().getName().endsWith("AccessControlException")
          || message.contains("permission denied")) {
        return "The file system refused a write (permission denied: " + t.getMessage() + ")";
      }
    }
    return null;
  }
}
