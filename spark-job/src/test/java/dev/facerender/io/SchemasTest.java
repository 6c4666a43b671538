package dev.facerender.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The SQL-conf-free type tests give what Spark's own give, under Spark's default settings. */
class SchemasTest {
  private static final StructType NESTED =
      new StructType()
          .add("Clip_Id", DataTypes.StringType, false)
          .add("frame_index", DataTypes.LongType)
          .add("coeffs", DataTypes.createArrayType(DataTypes.DoubleType, false))
          .add(
              "extra",
              new StructType()
                  .add("m", DataTypes.createMapType(DataTypes.StringType, DataTypes.IntegerType))
                  .add("b", DataTypes.BinaryType));

  @Test
  void sameTypeAgreesWithSparksOnEveryPair() {
    List<DataType> types =
        List.of(
            DataTypes.IntegerType,
            DataTypes.LongType,
            DataTypes.StringType,
            DataTypes.BinaryType,
            DataTypes.createArrayType(DataTypes.FloatType, true),
            DataTypes.createArrayType(DataTypes.FloatType, false),
            DataTypes.createArrayType(DataTypes.DoubleType),
            NESTED,
            new StructType()
                .add("clip_id", DataTypes.StringType)
                .add("FRAME_INDEX", DataTypes.LongType, false)
                .add("coeffs", DataTypes.createArrayType(DataTypes.DoubleType, true))
                .add("extra", NESTED.apply("extra").dataType()),
            new StructType().add("clip_id", DataTypes.StringType));
    for (DataType a : types) {
      for (DataType b : types) {
        assertThat(Schemas.sameType(a, b)).as("%s vs %s", a, b).isEqualTo(a.sameType(b));
      }
    }
  }

  @Test
  void simpleStringIsSparksUpToItsFieldLimit() {
    assertThat(Schemas.simpleString(NESTED)).isEqualTo(NESTED.simpleString());
    StructType wide = new StructType();
    for (int i = 0; i < 30; i++) {
      wide = wide.add("c" + i, DataTypes.IntegerType);
    }
    assertThat(Schemas.simpleString(wide)).isEqualTo(wide.simpleString());
  }
}
