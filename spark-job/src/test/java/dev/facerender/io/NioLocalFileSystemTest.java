package dev.facerender.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.OutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files and folders get the modes Hadoop's own local file system gives them, without .crc files.
 */
class NioLocalFileSystemTest {
  @TempDir java.nio.file.Path dir;

  @Test
  void createsWithHadoopsModes() throws IOException {
    FileSystem hadoops = FileSystem.newInstance(dir.toUri(), new Configuration());
    FileSystem nio = new Path(dir.toUri()).getFileSystem(NioLocalFileSystem.configuration());
    assertThat(nio).isInstanceOf(NioLocalFileSystem.class);
    for (String who : new String[] {"hadoop", "nio"}) {
      FileSystem fs = who.equals("hadoop") ? hadoops : nio;
      assertThat(fs.mkdirs(new Path(dir.toUri().resolve(who + "/a/b")))).isTrue();
      try (OutputStream out = fs.create(new Path(dir.toUri().resolve(who + "/a/b/file")))) {
        out.write(42);
      }
    }
    for (String relative : new String[] {"a", "a/b", "a/b/file"}) {
      assertThat(Files.getPosixFilePermissions(dir.resolve("nio/" + relative)))
          .as(relative)
          .isEqualTo(Files.getPosixFilePermissions(dir.resolve("hadoop/" + relative)));
    }
    assertThat(dir.resolve("hadoop/a/b/.file.crc")).exists();
    assertThat(dir.resolve("nio/a/b/.file.crc")).doesNotExist();
    assertThat(Files.readAllBytes(dir.resolve("nio/a/b/file"))).containsExactly(42);
  }

  @Test
  void setsEveryModeBitAndTheStickyBit() throws IOException {
    FileSystem fs = new Path(dir.toUri()).getFileSystem(NioLocalFileSystem.configuration());
    Path file = new Path(dir.toUri().resolve("file"));
    fs.create(file).close();
    for (short mode : new short[] {0640, 0755, 0421, 0777, 0}) {
      fs.setPermission(file, new FsPermission(mode));
      assertThat(fs.getFileStatus(file).getPermission().toShort()).isEqualTo(mode);
    }
    Path shared = new Path(dir.toUri().resolve("shared"));
    fs.mkdirs(shared);
    fs.setPermission(shared, new FsPermission((short) 01777));
    assertThat(fs.getFileStatus(shared).getPermission().getStickyBit()).isTrue();
  }

  @Test
  void aCachedPlainInstanceDoesNotShadowIt() throws IOException {
    FileSystem.getLocal(new Configuration());
    assertThat(new Path(dir.toUri()).getFileSystem(NioLocalFileSystem.configuration()))
        .isInstanceOf(NioLocalFileSystem.class);
  }

  @Test
  void choosesItselfOnlyForLocalPathsUnderItsConfiguration() throws IOException {
    Configuration nio = NioLocalFileSystem.configuration();
    Path local = new Path(dir.toUri());
    assertThat(NioLocalFileSystem.fileSystemFor(local, nio)).isInstanceOf(NioLocalFileSystem.class);
    assertThat(NioLocalFileSystem.fileSystemFor(new Path(dir.toString()), nio))
        .isInstanceOf(NioLocalFileSystem.class);
    assertThat(NioLocalFileSystem.fileSystemFor(local, new Configuration()))
        .isNotInstanceOf(NioLocalFileSystem.class);
    assertThat(NioLocalFileSystem.inputFileFor(local, new Configuration()))
        .isInstanceOf(HadoopInputFile.class);
    assertThat(NioLocalFileSystem.outputFileFor(local, new Configuration()))
        .isInstanceOf(HadoopOutputFile.class);
  }

  @Test
  void makesTheFoldersOfALocalOutputFile() throws IOException {
    Path file = new Path(dir.toUri().resolve("x/y/part.parquet"));
    OutputFile out = NioLocalFileSystem.outputFileFor(file, NioLocalFileSystem.configuration());
    try (OutputStream stream = out.create(0)) {
      stream.write(7);
    }
    assertThat(Files.readAllBytes(dir.resolve("x/y/part.parquet"))).containsExactly(7);
    InputFile in = NioLocalFileSystem.inputFileFor(file, NioLocalFileSystem.configuration());
    assertThat(in.getLength()).isEqualTo(1);
  }
}
