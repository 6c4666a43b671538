package dev.facerender.run;

import dev.facerender.device.DeviceChoice;
import dev.facerender.job.RenderRequest;
import java.util.List;

/**
 * Which engine runs a render, decided once from {@code --engine} and the request: the local engine,
 * Spark (with why the local one could not take it, for {@code auto}), or neither when {@code
 * --engine local} was asked for a run only Spark can do.
 */
public sealed interface EngineChoice {
  /** The local engine takes the run. */
  record Local(LocalEngine engine) implements EngineChoice {}

  /** Spark runs it; {@code localRefusal} is why the local engine could not (null: not asked). */
  record Spark(String localRefusal) implements EngineChoice {}

  /** {@code --engine local} for a run only Spark can do, and why. */
  record Refused(String reason) implements EngineChoice {}

  /**
   * For {@code engine} ({@code auto}, {@code local} or {@code spark}) and {@code request} on {@code
   * master} (null: local[*]), rendering where {@code device} says (null: decided from {@code
   * --device} and this machine).
   */
  static EngineChoice decide(
      String engine,
      RenderRequest request,
      String master,
      List<String> sparkSettings,
      DeviceChoice device) {
    switch (engine) {
      case "spark":
        return new Spark(null);
      case "auto":
      case "local":
        LocalEngine.Offer offer = LocalEngine.offer(request, master, sparkSettings, device);
        if (offer.engine() != null) {
          return new Local(offer.engine());
        }
        return engine.equals("local") ? new Refused(offer.refusal()) : new Spark(offer.refusal());
      default:
        throw new IllegalArgumentException(
            "--engine must be auto, local or spark, got '" + engine + "'");
    }
  }
}
