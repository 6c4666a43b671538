package dev.facerender.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Reads Parquet records straight into arrays of plain Java values, one per requested column: a
 * string ({@code String}-annotated binary), {@code byte[]}, {@code Integer}, {@code Long}, {@code
 * Float}, {@code Double}, {@code Boolean}, a {@code List} of those for a list column (either
 * Parquet layout, null elements kept), or null. No intermediate record objects: the local engine
 * reads its input with it, where Parquet's example groups cost most of the reading.
 */
final class ParquetValues extends ReadSupport<Object[]> {
  private final MessageType projection;

  ParquetValues(MessageType projection) {
    this.projection = projection;
  }

  @Override
  public ReadContext init(InitContext context) {
    return new ReadContext(projection);
  }

  // Abstract in Parquet's ReadSupport; its ParquetConfiguration overload delegates to it.
  @SuppressWarnings("deprecation")
  @Override
  public RecordMaterializer<Object[]> prepareForRead(
      Configuration configuration,
      Map<String, String> keyValueMetaData,
      MessageType fileSchema,
      ReadContext readContext) {
    Record root = new Record(readContext.getRequestedSchema());
    return new RecordMaterializer<>() {
      @Override
      public Object[] getCurrentRecord() {
        return root.values;
      }

      @Override
      public GroupConverter getRootConverter() {
        return root;
      }
    };
  }

  /** Where a converter puts each value it reads. */
  private interface Sink {
    void accept(Object value);
  }

  private static final class Record extends GroupConverter {
    private final Converter[] fields;
    private final boolean[] bare;
    private Object[] values;

    Record(GroupType schema) {
      fields = new Converter[schema.getFieldCount()];
      bare = new boolean[fields.length];
      for (int i = 0; i < fields.length; i++) {
        int index = i;
        Type field = schema.getType(i);
        if (field.isPrimitive() && field.isRepetition(Type.Repetition.REPEATED)) {
          bare[i] = true; // a bare repeated field: never null, as Spark reads it
          fields[i] = primitive(field, v -> list(index).add(v));
        } else if (field.isPrimitive()) {
          fields[i] = primitive(field, v -> values[index] = v);
        } else if (ParquetTable.isList(field)) {
          fields[i] = new ListOf(field.asGroupType(), () -> list(index));
        } else {
          throw new IllegalArgumentException(
              "column " + field.getName() + " is a group, not a value or a list");
        }
      }
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(int index) {
      if (values[index] == null) {
        values[index] = new ArrayList<>();
      }
      return (List<Object>) values[index];
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      return fields[fieldIndex];
    }

    @Override
    public void start() {
      values = new Object[fields.length];
      for (int i = 0; i < bare.length; i++) {
        if (bare[i]) {
          values[i] = new ArrayList<>();
        }
      }
    }

    @Override
    public void end() {}
  }

  /** A list column: 3-level (repeated group of one element) or 2-level (repeated values). */
  private static final class ListOf extends GroupConverter {
    private final java.util.function.Supplier<List<Object>> target;
    private final Converter repeated;
    private List<Object> current;
    private Object element;

    ListOf(GroupType list, java.util.function.Supplier<List<Object>> target) {
      this.target = target;
      Type child = list.getType(0);
      if (child.isPrimitive()) {
        repeated = primitive(child, v -> current.add(v));
      } else {
        Converter inner = primitive(child.asGroupType().getType(0), v -> element = v);
        repeated =
            new GroupConverter() {
              @Override
              public Converter getConverter(int fieldIndex) {
                return inner;
              }

              @Override
              public void start() {
                element = null;
              }

              @Override
              public void end() {
                current.add(element);
              }
            };
      }
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      return repeated;
    }

    @Override
    public void start() {
      current = target.get();
    }

    @Override
    public void end() {}
  }

  private static PrimitiveConverter primitive(Type type, Sink sink) {
    if (!type.isPrimitive()) {
      throw new IllegalArgumentException("list elements of " + type.getName() + " are groups");
    }
    boolean text =
        type.getLogicalTypeAnnotation()
            instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation;
    return new PrimitiveConverter() {
      @Override
      public void addBinary(Binary value) {
        sink.accept(text ? value.toStringUsingUTF8() : value.getBytes());
      }

      @Override
      public void addBoolean(boolean value) {
        sink.accept(value);
      }

      @Override
      public void addDouble(double value) {
        sink.accept(value);
      }

      @Override
      public void addFloat(float value) {
        sink.accept(value);
      }

      @Override
      public void addInt(int value) {
        sink.accept(value);
      }

      @Override
      public void addLong(long value) {
        sink.accept(value);
      }
    };
  }
}
