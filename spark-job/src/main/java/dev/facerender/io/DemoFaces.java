package dev.facerender.io;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Arc2D;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Synthetic source faces, drawn where {@code builtin:warp} expects features (eyes at 44% of the
 * height, brows at 34%, mouth at 71%), with per-clip variation in colours and proportions.
 */
public final class DemoFaces {
  private static final Color[] SKIN = {
    new Color(241, 194, 160), new Color(224, 172, 132), new Color(198, 134, 98),
    new Color(141, 85, 54), new Color(255, 219, 186), new Color(170, 112, 80)
  };
  private static final Color[] HAIR = {
    new Color(40, 28, 20), new Color(92, 60, 30), new Color(200, 160, 90),
    new Color(20, 20, 20), new Color(140, 60, 30), new Color(120, 120, 120)
  };
  private static final Color[] IRIS = {
    new Color(60, 90, 140), new Color(80, 60, 40), new Color(60, 110, 70), new Color(40, 40, 40)
  };

  private DemoFaces() {}

  /** A PNG face for {@code clip} under {@code seed}, {@code size} pixels square. */
  public static byte[] png(long seed, int clip, int size) {
    BufferedImage image = draw(seed, clip, size);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static BufferedImage draw(long seed, int clip, int size) {
    SplittableRandom random = new SplittableRandom(seed * 7919 + clip);
    double s = size;
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      float hue = (float) random.nextDouble();
      g.setPaint(
          new java.awt.GradientPaint(
              0,
              0,
              Color.getHSBColor(hue, 0.25f, 0.95f),
              0,
              size,
              Color.getHSBColor(hue, 0.35f, 0.7f)));
      g.fillRect(0, 0, size, size);
      Color skin = SKIN[random.nextInt(SKIN.length)];
      Color hair = HAIR[random.nextInt(HAIR.length)];
      double faceWidth = s * (0.62 + 0.08 * random.nextDouble());
      double faceTop = s * 0.12;
      double faceHeight = s * 0.80;
      double left = (s - faceWidth) / 2;
      // neck and shoulders
      g.setColor(skin.darker());
      g.fill(new java.awt.geom.Rectangle2D.Double(s * 0.40, s * 0.80, s * 0.20, s * 0.2));
      g.setColor(Color.getHSBColor((float) random.nextDouble(), 0.5f, 0.5f));
      g.fill(new Ellipse2D.Double(s * 0.12, s * 0.90, s * 0.76, s * 0.3));
      // hair behind, face, hair on top
      g.setColor(hair);
      g.fill(
          new Ellipse2D.Double(
              left - s * 0.04, faceTop - s * 0.06, faceWidth + s * 0.08, faceHeight * 0.7));
      g.setColor(skin);
      g.fill(new Ellipse2D.Double(left, faceTop, faceWidth, faceHeight));
      g.setColor(hair);
      g.fill(
          new Arc2D.Double(
              left, faceTop - s * 0.02, faceWidth, faceHeight * 0.42, 0, 180, Arc2D.CHORD));
      // ears
      g.setColor(skin.darker());
      g.fill(new Ellipse2D.Double(left - s * 0.035, s * 0.42, s * 0.07, s * 0.13));
      g.fill(new Ellipse2D.Double(left + faceWidth - s * 0.035, s * 0.42, s * 0.07, s * 0.13));
      // eyes at (0.34, 0.44) and (0.66, 0.44)
      Color iris = IRIS[random.nextInt(IRIS.length)];
      for (double cx : new double[] {0.34, 0.66}) {
        g.setColor(Color.WHITE);
        g.fill(new Ellipse2D.Double(s * (cx - 0.07), s * 0.405, s * 0.14, s * 0.07));
        g.setColor(iris);
        g.fill(new Ellipse2D.Double(s * (cx - 0.03), s * 0.41, s * 0.06, s * 0.06));
        g.setColor(Color.BLACK);
        g.fill(new Ellipse2D.Double(s * (cx - 0.013), s * 0.427, s * 0.026, s * 0.026));
        g.setStroke(new BasicStroke((float) Math.max(1, s / 100)));
        g.setColor(skin.darker().darker());
        g.draw(new Ellipse2D.Double(s * (cx - 0.07), s * 0.405, s * 0.14, s * 0.07));
        // brow at 0.34
        g.setColor(hair.darker());
        g.setStroke(
            new BasicStroke(
                (float) Math.max(2, s / 45), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(
            new Arc2D.Double(s * (cx - 0.08), s * 0.33, s * 0.16, s * 0.06, 20, 140, Arc2D.OPEN));
      }
      // nose
      g.setColor(skin.darker());
      g.setStroke(new BasicStroke((float) Math.max(1, s / 90)));
      g.draw(new Arc2D.Double(s * 0.46, s * 0.50, s * 0.08, s * 0.10, 200, 140, Arc2D.OPEN));
      // mouth centred at 0.71: dark opening between lips
      double mouthWidth = s * (0.20 + 0.06 * random.nextDouble());
      g.setColor(new Color(90, 20, 30));
      g.fill(new Ellipse2D.Double((s - mouthWidth) / 2, s * 0.695, mouthWidth, s * 0.03));
      g.setColor(new Color(180, 70, 80));
      g.setStroke(
          new BasicStroke(
              (float) Math.max(2, s / 60), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      g.draw(
          new Arc2D.Double(
              (s - mouthWidth) / 2, s * 0.675, mouthWidth, s * 0.05, 0, 180, Arc2D.OPEN));
      g.draw(
          new Arc2D.Double(
              (s - mouthWidth) / 2, s * 0.695, mouthWidth, s * 0.05, 180, 180, Arc2D.OPEN));
    } finally {
      g.dispose();
    }
    return image;
  }
}
