package dev.facerender.natives;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The libraries a shared object names in its dynamic section ({@code DT_NEEDED}, as {@code readelf
 * -d} prints them), read from a file or from a stream that can be opened again (a jar entry).
 * 64-bit little-endian ELF only, which is what the natives are.
 */
public final class ElfNeeded {
  private static final int PT_LOAD = 1;
  private static final int PT_DYNAMIC = 2;
  private static final long DT_NEEDED = 1;
  private static final long DT_STRTAB = 5;
  private static final long DT_STRSZ = 10;
  private static final int MAX_TABLE_BYTES = 16 << 20;

  /** Bytes at an offset of the library; {@link #read} may be called several times. */
  public interface Source {
    byte[] read(long offset, int length) throws IOException;
  }

  /** Opens the library's bytes from the start, each call a fresh stream. */
  public interface Opener {
    InputStream open() throws IOException;
  }

  private ElfNeeded() {}

  /** The libraries {@code file} needs. */
  public static List<String> of(Path file) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      return of(
          (offset, length) -> {
            byte[] bytes = new byte[length];
            raf.seek(offset);
            raf.readFully(bytes);
            return bytes;
          });
    }
  }

  /**
   * The libraries a streamed library needs: reads forward only, opening the stream once per region
   * (header, dynamic section, string table).
   */
  public static List<String> of(Opener opener) throws IOException {
    return of(
        (offset, length) -> {
          try (InputStream in = opener.open()) {
            in.skipNBytes(offset);
            return in.readNBytes(length);
          }
        });
  }

  static List<String> of(Source source) throws IOException {
    ByteBuffer header = le(source.read(0, 64));
    if (header.remaining() < 64 || header.getInt(0) != 0x464c457f) {
      throw new IOException("not an ELF file");
    }
    if (header.get(4) != 2 || header.get(5) != 1) {
      throw new IOException("not a 64-bit little-endian ELF file");
    }
    long phoff = header.getLong(0x20);
    int phentsize = Short.toUnsignedInt(header.getShort(0x36));
    int phnum = Short.toUnsignedInt(header.getShort(0x38));
    ByteBuffer phdrs = le(source.read(phoff, phentsize * phnum));
    List<long[]> loads = new ArrayList<>(); // {offset, vaddr, filesz}
    long dynOffset = -1;
    long dynSize = 0;
    for (int i = 0; i < phnum; i++) {
      int at = i * phentsize;
      int type = phdrs.getInt(at);
      long offset = phdrs.getLong(at + 8);
      long vaddr = phdrs.getLong(at + 16);
      long filesz = phdrs.getLong(at + 32);
      if (type == PT_LOAD) {
        loads.add(new long[] {offset, vaddr, filesz});
      } else if (type == PT_DYNAMIC) {
        dynOffset = offset;
        dynSize = filesz;
      }
    }
    if (dynOffset < 0) {
      return List.of(); // statically linked
    }
    ByteBuffer dynamic = le(source.read(dynOffset, checked(dynSize)));
    List<Long> needed = new ArrayList<>();
    long strtab = -1;
    long strsz = 0;
    for (int at = 0; at + 16 <= dynamic.limit(); at += 16) {
      long tag = dynamic.getLong(at);
      long value = dynamic.getLong(at + 8);
      if (tag == 0) {
        break;
      } else if (tag == DT_NEEDED) {
        needed.add(value);
      } else if (tag == DT_STRTAB) {
        strtab = value;
      } else if (tag == DT_STRSZ) {
        strsz = value;
      }
    }
    if (needed.isEmpty()) {
      return List.of();
    }
    long strOffset = fileOffset(strtab, loads);
    byte[] strings = source.read(strOffset, checked(strsz));
    List<String> names = new ArrayList<>();
    for (long index : needed) {
      int start = (int) index;
      int end = start;
      while (end < strings.length && strings[end] != 0) {
        end++;
      }
      names.add(new String(strings, start, end - start, StandardCharsets.UTF_8));
    }
    return names;
  }

  private static long fileOffset(long vaddr, List<long[]> loads) throws IOException {
    for (long[] load : loads) {
      if (vaddr >= load[1] && vaddr < load[1] + load[2]) {
        return load[0] + (vaddr - load[1]);
      }
    }
    throw new IOException("the string table's address is in no loaded segment");
  }

  private static int checked(long size) throws IOException {
    if (size < 0 || size > MAX_TABLE_BYTES) {
      throw new IOException("implausible dynamic table size " + size);
    }
    return (int) size;
  }

  private static ByteBuffer le(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }
}
