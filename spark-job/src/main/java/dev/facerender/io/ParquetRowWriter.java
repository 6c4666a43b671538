package dev.facerender.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Writes rows of a flat schema (strings, ints, longs, doubles, binary, arrays of floats) to one
 * Parquet file without a Spark session, in the layout Spark's own writer gives them (the same
 * Parquet types, Spark's schema in the footer), so Spark and any Parquet reader read the tables the
 * local engine writes as they read the Spark engine's. Not thread-safe: one writer per thread.
 */
public final class ParquetRowWriter implements AutoCloseable {
  /** The footer key under which Spark keeps a table's Spark schema. */
  static final String SPARK_SCHEMA_KEY = "org.apache.spark.sql.parquet.row.metadata";

  private static final String LIST = "list";
  private static final String ELEMENT = "element";

  private final ParquetWriter<Row> writer;
  private long rows;

  /**
   * A new file at {@code file} (which must not exist); {@code compressed} picks Snappy (Spark's
   * default) or none, for bytes that do not compress (PNG, JPEG); row groups of {@code
   * rowGroupBytes}.
   */
  public ParquetRowWriter(
      String file, StructType schema, Configuration conf, boolean compressed, long rowGroupBytes) {
    try {
      writer =
          new Builder(NioLocalFileSystem.outputFileFor(new Path(file), conf), schema)
              .withConf(conf)
              .withWriteMode(ParquetFileWriter.Mode.CREATE)
              .withCompressionCodec(
                  compressed ? CompressionCodecName.SNAPPY : CompressionCodecName.UNCOMPRESSED)
              .withRowGroupSize(rowGroupBytes)
              .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
              .build();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + file + ": " + e.getMessage(), e);
    }
  }

  public void write(Row row) {
    try {
      writer.write(row);
      rows++;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write a row: " + e.getMessage(), e);
    }
  }

  public long rows() {
    return rows;
  }

  @Override
  public void close() {
    try {
      writer.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot finish a Parquet file: " + e.getMessage(), e);
    }
  }

  /** The Parquet type Spark gives {@code field} (flat schemas only). */
  static Type parquetType(StructField field) {
    Types.PrimitiveBuilder<org.apache.parquet.schema.PrimitiveType> builder;
    DataType type = field.dataType();
    Type.Repetition repetition =
        field.nullable() ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED;
    if (type instanceof ArrayType array && array.elementType().equals(DataTypes.FloatType)) {
      // Spark's three-level list layout, so Spark reads it back as array<float>.
      Type.Repetition elements =
          array.containsNull() ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED;
      return Types.buildGroup(repetition)
          .as(LogicalTypeAnnotation.listType())
          .addField(
              Types.repeatedGroup()
                  .addField(Types.primitive(PrimitiveTypeName.FLOAT, elements).named(ELEMENT))
                  .named(LIST))
          .named(field.name());
    }
    if (type.equals(DataTypes.StringType)) {
      builder =
          Types.primitive(PrimitiveTypeName.BINARY, repetition)
              .as(LogicalTypeAnnotation.stringType());
    } else if (type.equals(DataTypes.IntegerType)) {
      builder = Types.primitive(PrimitiveTypeName.INT32, repetition);
    } else if (type.equals(DataTypes.LongType)) {
      builder = Types.primitive(PrimitiveTypeName.INT64, repetition);
    } else if (type.equals(DataTypes.DoubleType)) {
      builder = Types.primitive(PrimitiveTypeName.DOUBLE, repetition);
    } else if (type.equals(DataTypes.BinaryType)) {
      builder = Types.primitive(PrimitiveTypeName.BINARY, repetition);
    } else {
      throw new IllegalArgumentException(
          "column " + field.name() + ": " + type.simpleString() + " is not a flat type");
    }
    return builder.named(field.name());
  }

  private static final class Builder extends ParquetWriter.Builder<Row, Builder> {
    private final StructType schema;

    Builder(OutputFile file, StructType schema) {
      super(file);
      this.schema = schema;
    }

    @Override
    protected Builder self() {
      return this;
    }

    // Abstract in Parquet's builder (the ParquetConfiguration overload calls it for a Hadoop one).
    @SuppressWarnings("deprecation")
    @Override
    protected WriteSupport<Row> getWriteSupport(Configuration conf) {
      return new RowWriteSupport(schema);
    }
  }

  private static final class RowWriteSupport extends WriteSupport<Row> {
    private final StructType schema;
    private final MessageType message;
    private RecordConsumer consumer;

    RowWriteSupport(StructType schema) {
      this.schema = schema;
      Types.MessageTypeBuilder builder = Types.buildMessage();
      for (StructField field : schema.fields()) {
        builder.addField(parquetType(field));
      }
      this.message = builder.named("spark_schema");
    }

    // Abstract in Parquet's WriteSupport; the ParquetConfiguration overload delegates to it.
    @SuppressWarnings("deprecation")
    @Override
    public WriteContext init(Configuration configuration) {
      return new WriteContext(message, Map.of(SPARK_SCHEMA_KEY, schema.json()));
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.consumer = recordConsumer;
    }

    @Override
    public void write(Row row) {
      consumer.startMessage();
      StructField[] fields = schema.fields();
      for (int i = 0; i < fields.length; i++) {
        if (row.isNullAt(i)) {
          if (!fields[i].nullable()) {
            throw new IllegalArgumentException("column " + fields[i].name() + " is null");
          }
          continue;
        }
        consumer.startField(fields[i].name(), i);
        Object value = row.get(i);
        if (!message.getType(i).isPrimitive()) {
          writeFloats(value);
          consumer.endField(fields[i].name(), i);
          continue;
        }
        switch (message.getType(i).asPrimitiveType().getPrimitiveTypeName()) {
          case INT32 -> consumer.addInteger((Integer) value);
          case INT64 -> consumer.addLong((Long) value);
          case DOUBLE -> consumer.addDouble((Double) value);
          default ->
              consumer.addBinary(
                  value instanceof String text
                      ? Binary.fromString(text)
                      : Binary.fromConstantByteArray((byte[]) value));
        }
        consumer.endField(fields[i].name(), i);
      }
      consumer.endMessage();
    }

    /** A float list: a {@code float[]} or a Spark array (a Scala sequence or a Java list). */
    private void writeFloats(Object value) {
      float[] floats = floatsOf(value);
      consumer.startGroup();
      if (floats.length > 0) {
        consumer.startField(LIST, 0);
        for (float f : floats) {
          consumer.startGroup();
          consumer.startField(ELEMENT, 0);
          consumer.addFloat(f);
          consumer.endField(ELEMENT, 0);
          consumer.endGroup();
        }
        consumer.endField(LIST, 0);
      }
      consumer.endGroup();
    }

    private static float[] floatsOf(Object value) {
      if (value instanceof float[] floats) {
        return floats;
      }
      List<?> list =
          value instanceof scala.collection.Seq<?> seq
              ? scala.jdk.javaapi.CollectionConverters.asJava(seq)
              : (List<?>) value;
      float[] floats = new float[list.size()];
      for (int i = 0; i < floats.length; i++) {
        floats[i] = ((Number) list.get(i)).floatValue();
      }
      return floats;
    }
  }
}
