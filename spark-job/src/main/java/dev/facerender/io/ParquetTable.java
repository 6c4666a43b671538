package dev.facerender.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.conf.HadoopParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A Parquet table (one file, or a folder of files without subfolders) read without a Spark session:
 * its schema as Spark would see it, its row count from the footers, and its rows as Parquet groups,
 * only the columns asked for.
 */
public final class ParquetTable {
  private final String path;
  private final Configuration conf;
  private final List<Path> files;
  private final MessageType schema;
  private final long rows;

  private ParquetTable(
      String path, Configuration conf, List<Path> files, MessageType schema, long rows) {
    this.path = path;
    this.conf = conf;
    this.files = files;
    this.schema = schema;
    this.rows = rows;
  }

  /**
   * The table at {@code path}, or null when it is not a plain one (missing, empty, or a folder with
   * subfolders, such as partitioned tables): those are for Spark to read.
   */
  public static ParquetTable open(String path, Configuration conf) {
    try {
      Path root = new Path(path);
      FileSystem fs = NioLocalFileSystem.fileSystemFor(root, conf);
      if (!fs.exists(root)) {
        return null;
      }
      List<Path> files = new ArrayList<>();
      if (fs.getFileStatus(root).isFile()) {
        files.add(root);
      } else {
        for (FileStatus entry : fs.listStatus(root)) {
          String name = entry.getPath().getName();
          if (Tables.isHidden(name)) {
            continue;
          }
          if (!entry.isFile()) {
            return null;
          }
          files.add(entry.getPath());
        }
      }
      files.sort(null);
      if (files.isEmpty()) {
        return null;
      }
      MessageType schema = null;
      long rows = 0;
      for (Path file : files) {
        // Options from this configuration: Parquet's default makes and parses a new one per file.
        try (ParquetFileReader reader =
            ParquetFileReader.open(
                NioLocalFileSystem.inputFileFor(file, conf),
                HadoopReadOptions.builder(conf).build())) {
          MessageType own = reader.getFooter().getFileMetaData().getSchema();
          if (schema != null && !schema.equals(own)) {
            return null; // Spark's schema merging and its choices are Spark's to make
          }
          schema = own;
          rows += reader.getRecordCount();
        }
      }
      return new ParquetTable(path, conf, files, schema, rows);
    } catch (IOException e) {
      throw new InputException("Cannot read the Parquet table at " + path + ": " + e.getMessage());
    }
  }

  public String path() {
    return path;
  }

  public long rows() {
    return rows;
  }

  /** The schema as Spark reads it (types Spark has no reading for come out as binary). */
  public StructType sparkSchema() {
    StructType result = new StructType();
    for (Type field : schema.getFields()) {
      result =
          result.add(
              field.getName(), sparkType(field), !field.isRepetition(Type.Repetition.REQUIRED));
    }
    return result;
  }

  /**
   * Passes every row, file by file, to {@code row} as the values of {@code columns} in that order
   * (see {@link ParquetValues} for their Java types).
   */
  public void forEach(List<String> columns, Consumer<Object[]> row) {
    List<Type> projected = new ArrayList<>();
    for (String column : columns) {
      projected.add(schema.getType(column));
    }
    ParquetValues values = new ParquetValues(new MessageType(schema.getName(), projected));
    for (Path file : files) {
      try (ParquetReader<Object[]> reader = new ValuesReader(file, conf, values).build()) {
        for (Object[] record = reader.read(); record != null; record = reader.read()) {
          row.accept(record);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * A reader of {@link ParquetValues} on this table's configuration ({@code ParquetReader.builder}
   * makes and parses a new one per file before {@code withConf} replaces it).
   */
  private static final class ValuesReader extends ParquetReader.Builder<Object[]> {
    private final ParquetValues values;

    ValuesReader(Path file, Configuration conf, ParquetValues values) throws IOException {
      super(NioLocalFileSystem.inputFileFor(file, conf), new HadoopParquetConfiguration(conf));
      this.values = values;
    }

    @Override
    protected ReadSupport<Object[]> getReadSupport() {
      return values;
    }
  }

  /** Whether {@code field} is a list (either Parquet list layout). */
  public static boolean isList(Type field) {
    return !field.isPrimitive()
        && field.getLogicalTypeAnnotation()
            instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation;
  }

  static DataType sparkType(Type field) {
    if (field.isPrimitive() && field.isRepetition(Type.Repetition.REPEATED)) {
      return DataTypes.createArrayType(primitive(field.asPrimitiveType()), false);
    }
    if (field.isPrimitive()) {
      return primitive(field.asPrimitiveType());
    }
    GroupType group = field.asGroupType();
    if (isList(field) && group.getFieldCount() == 1) {
      Type repeated = group.getType(0);
      Type element =
          repeated.isPrimitive() || repeated.asGroupType().getFieldCount() != 1
              ? repeated
              : repeated.asGroupType().getType(0);
      DataType inner =
          element.isPrimitive() ? primitive(element.asPrimitiveType()) : sparkType(element);
      return DataTypes.createArrayType(inner, !element.isRepetition(Type.Repetition.REQUIRED));
    }
    StructType struct = new StructType();
    for (Type child : group.getFields()) {
      struct = struct.add(child.getName(), sparkType(child));
    }
    return struct;
  }

  private static DataType primitive(PrimitiveType type) {
    LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
    if (logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation decimal) {
      return DataTypes.createDecimalType(decimal.getPrecision(), decimal.getScale());
    }
    return switch (type.getPrimitiveTypeName()) {
      case BOOLEAN -> DataTypes.BooleanType;
      case INT32 -> {
        if (logical instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
          yield DataTypes.DateType;
        }
        if (logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation ints) {
          yield ints.getBitWidth() == 8
              ? DataTypes.ByteType
              : ints.getBitWidth() == 16 ? DataTypes.ShortType : DataTypes.IntegerType;
        }
        yield DataTypes.IntegerType;
      }
      case INT64 ->
          logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation
              ? DataTypes.TimestampType
              : DataTypes.LongType;
      case INT96 -> DataTypes.TimestampType;
      case FLOAT -> DataTypes.FloatType;
      case DOUBLE -> DataTypes.DoubleType;
      case BINARY ->
          logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                  || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                  || logical instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation
              ? DataTypes.StringType
              : DataTypes.BinaryType;
      case FIXED_LEN_BYTE_ARRAY -> DataTypes.BinaryType;
    };
  }
}
