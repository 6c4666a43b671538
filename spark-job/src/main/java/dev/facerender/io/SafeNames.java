package dev.facerender.io;

import java.nio.charset.StandardCharsets;

/**
 * File names from data. Clip ids are data, never paths: every byte outside {@code [A-Za-z0-9_-]}
 * (and a leading dot) is percent-encoded, so {@code ../}, slashes and control characters cannot
 * climb out of a folder or hide, and different ids give different names.
 */
public final class SafeNames {
  /** Most file systems allow 255 bytes a name; leave room for a suffix. */
  private static final int MAX_LENGTH = 200;

  private SafeNames() {}

  public static String of(String id) {
    if (id.isEmpty()) {
      return "%";
    }
    StringBuilder name = new StringBuilder();
    byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xff;
      boolean plain =
          (b >= 'a' && b <= 'z')
              || (b >= 'A' && b <= 'Z')
              || (b >= '0' && b <= '9')
              || b == '_'
              || b == '-'
              || (b == '.' && i > 0);
      if (plain) {
        name.append((char) b);
      } else {
        name.append('%').append(String.format("%02X", b));
      }
    }
    if (name.length() > MAX_LENGTH) {
      // Long ids keep a readable prefix and a hash of the whole id, so they stay distinct.
      return name.substring(0, MAX_LENGTH - 13) + "~" + Digests.sha256Hex(id).substring(0, 12);
    }
    return name.toString();
  }
}
