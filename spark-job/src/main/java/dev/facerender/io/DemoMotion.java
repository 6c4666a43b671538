package dev.facerender.io;

import dev.facerender.model.BuiltinModels;
import java.util.SplittableRandom;

/**
 * Driving coefficients that move like speech at 25 frames/s: syllables open the jaw in phrases with
 * pauses, blinks every few seconds, a slow smile, brows on emphasis, and head sway. Each frame is a
 * closed-form function of (seed, clip, frame), so any frame can be made on its own.
 */
public final class DemoMotion {
  static final double FPS = 25.0;

  private DemoMotion() {}

  public static float[] coefficients(long seed, int clip, int frame) {
    SplittableRandom random = new SplittableRandom(seed * 104_729 + clip);
    double syllableHz = 3.2 + 1.6 * random.nextDouble();
    double phrasePeriod = 2.5 + 1.5 * random.nextDouble();
    double phrasePhase = random.nextDouble() * phrasePeriod;
    double blinkPeriod = 2.6 + 2.0 * random.nextDouble();
    double blinkPhase = random.nextDouble() * blinkPeriod;
    double swayHz = 0.12 + 0.1 * random.nextDouble();
    double phase = random.nextDouble() * 2 * Math.PI;
    double t = frame / FPS;
    float[] c = new float[BuiltinModels.WARP_COEFFS];
    double inPhrase = ((t + phrasePhase) % phrasePeriod) < phrasePeriod * 0.8 ? 1.0 : 0.0;
    double syllable = Math.max(0, Math.sin(2 * Math.PI * syllableHz * t + phase));
    c[BuiltinModels.JAW] = (float) (inPhrase * syllable * (0.6 + 0.3 * Math.sin(0.7 * t + phase)));
    double blinkT = (t + blinkPhase) % blinkPeriod;
    double blinkFrames = blinkT * FPS;
    c[BuiltinModels.BLINK] = (float) (blinkFrames < 5 ? 1 - Math.abs(blinkFrames - 2.5) / 2.5 : 0);
    c[BuiltinModels.SMILE] = (float) (0.25 + 0.25 * Math.sin(2 * Math.PI * 0.08 * t + phase));
    c[BuiltinModels.BROW] =
        (float) (0.5 * inPhrase * Math.max(0, Math.sin(2 * Math.PI * 0.5 * t + phase)));
    for (int i = 4; i < 64; i++) {
      double hz = 0.05 + 0.02 * (i % 7);
      c[i] = (float) (0.3 * Math.sin(2 * Math.PI * hz * t + phase + i));
    }
    c[BuiltinModels.YAW] = (float) (0.20 * Math.sin(2 * Math.PI * swayHz * t + phase));
    c[BuiltinModels.PITCH] = (float) (0.07 * Math.sin(2 * Math.PI * swayHz * 1.7 * t + phase + 1));
    c[BuiltinModels.ROLL] = (float) (0.05 * Math.sin(2 * Math.PI * swayHz * 0.8 * t + phase + 2));
    c[BuiltinModels.SHIFT_X] = (float) (0.03 * Math.sin(2 * Math.PI * swayHz * 0.5 * t + phase));
    c[BuiltinModels.SHIFT_Y] = (float) (0.02 * Math.sin(2 * Math.PI * swayHz * 1.3 * t + phase));
    c[BuiltinModels.ZOOM] = (float) (0.03 * Math.sin(2 * Math.PI * 0.05 * t + phase));
    return c;
  }
}
