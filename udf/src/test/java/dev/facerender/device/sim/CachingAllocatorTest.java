package dev.facerender.device.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.retry.OutOfMemoryErrors;
import org.junit.jupiter.api.Test;

/** The allocator model against the behaviour PyTorch documents for its CUDA caching allocator. */
class CachingAllocatorTest {
  private static final long MIB = 1L << 20;

  private static CachingAllocator allocator(long totalMib) {
    return new CachingAllocator(new DeviceMemory(0, totalMib * MIB, 0, 0));
  }

  @Test
  void requestsRoundTo512BytesAndSegmentsFollowThePools() {
    CachingAllocator a = allocator(1024);
    assertThat(a.malloc(1).size()).isEqualTo(512);
    assertThat(a.reservedBytes()).as("a small request opens a 2 MiB segment").isEqualTo(2 * MIB);
    assertThat(a.malloc(1000).size()).isEqualTo(1024);
    assertThat(a.reservedBytes()).as("and the next small one shares it").isEqualTo(2 * MIB);

    a.malloc(5 * MIB);
    assertThat(a.reservedBytes()).as("1..10 MiB: a 20 MiB segment").isEqualTo(22 * MIB);
    a.malloc(11 * MIB);
    assertThat(a.reservedBytes()).as("best fit: the 20 MiB segment's rest").isEqualTo(22 * MIB);
    assertThat(a.malloc(21 * MIB + 1).size())
        .as("the 22 MiB segment's rest, under 1 MiB, is not split off")
        .isEqualTo(22 * MIB);
    assertThat(a.reservedBytes()).as("from 10 MiB: rounded to 2 MiB").isEqualTo(44 * MIB);
    assertThat(a.allocatedBytes()).isEqualTo(512 + 1024 + 5 * MIB + 11 * MIB + 22 * MIB);
  }

  @Test
  void freedBlocksStayReservedAreReusedAndOnlyWhollyFreeSegmentsAreReleased() {
    CachingAllocator a = allocator(1024);
    CachingAllocator.Block big = a.malloc(100 * MIB);
    CachingAllocator.Block small = a.malloc(3 * MIB);
    a.free(big);
    assertThat(a.reservedBytes()).isEqualTo(120 * MIB);
    assertThat(a.allocatedBytes()).isEqualTo(3 * MIB);

    a.malloc(60 * MIB);
    assertThat(a.reservedBytes())
        .as("best fit carves the cached 100 MiB block")
        .isEqualTo(120 * MIB);

    a.emptyCache();
    assertThat(a.reservedBytes()).as("both segments are partly in use").isEqualTo(120 * MIB);
    a.free(small);
    a.emptyCache();
    assertThat(a.reservedBytes()).isEqualTo(100 * MIB);
  }

  @Test
  void peakIsOfAllocatedBytesAndResetStartsFromWhatIsAllocatedNow() {
    CachingAllocator a = allocator(1024);
    CachingAllocator.Block held = a.malloc(40 * MIB);
    CachingAllocator.Block batch = a.malloc(200 * MIB);
    a.free(batch);
    assertThat(a.peakAllocatedBytes()).isEqualTo(240 * MIB);
    a.resetPeak();
    assertThat(a.peakAllocatedBytes()).isEqualTo(40 * MIB);
    a.free(held);
  }

  @Test
  void aRequestFailsWhenNoBlockIsBigEnoughThoughTheFreeBytesAddUp() {
    DeviceMemory memory = new DeviceMemory(0, 300 * MIB, 0, 0);
    CachingAllocator a = new CachingAllocator(memory);
    a.free(a.malloc(100 * MIB));
    // The cached 100 MiB segment ends up as [30 free][30 in use][40 free].
    CachingAllocator.Block first = a.malloc(30 * MIB);
    CachingAllocator.Block pin = a.malloc(30 * MIB);
    a.free(first);
    memory.setOtherProcesses(100 * MIB);
    assertThat(memory.freeBytes() + a.reservedBytes() - a.allocatedBytes())
        .as("device free + cached free")
        .isEqualTo(170 * MIB);

    assertThatThrownBy(() -> a.malloc(150 * MIB))
        .satisfies(e -> assertThat(OutOfMemoryErrors.isOutOfMemory(e)).isTrue())
        .hasMessageContaining("70.00 MiB is reserved by PyTorch but unallocated");
    assertThat(a.fragmentationOoms()).isEqualTo(1);
    assertThat(a.reservedBytes())
        .as("the pinned segment could not be released")
        .isEqualTo(100 * MIB);
    // Half of the request fits: a new 76 MiB segment, whole (a 1 MiB rest is not split off).
    assertThat(a.malloc(75 * MIB).size()).isEqualTo(76 * MIB);
    a.free(pin);
  }

  @Test
  void anotherProcessTakingTheDeviceLeavesTheCacheButNotTheFreeBytes() {
    DeviceMemory memory = new DeviceMemory(0, 1024 * MIB, 100 * MIB, 0);
    CachingAllocator a = new CachingAllocator(memory);
    a.free(a.malloc(300 * MIB));
    assertThat(memory.freeBytes()).isEqualTo(624 * MIB);
    memory.setOtherProcesses(600 * MIB);
    assertThat(memory.freeBytes()).isEqualTo(24 * MIB);
    assertThat(a.malloc(250 * MIB).size()).as("served from the cache").isEqualTo(250 * MIB);
    assertThatThrownBy(() -> a.malloc(100 * MIB))
        .hasMessageStartingWith("CUDA out of memory. Tried to allocate 100.00 MiB");
  }

  @Test
  void aBlockFreedOnOneStreamIsReusedOnlyOnThatStream() {
    CachingAllocator a = allocator(1024);
    CachingAllocator.Block onA;
    try (var a1 = a.useStream(1)) {
      onA = a.malloc(100 * MIB);
    }
    a.free(onA);
    try (var b = a.useStream(2)) {
      a.malloc(100 * MIB);
    }
    assertThat(a.segmentsAllocated())
        .as("stream 2 cannot take the block stream 1 freed: a segment of its own")
        .isEqualTo(2);
    try (var a1 = a.useStream(1)) {
      a.malloc(100 * MIB);
    }
    assertThat(a.segmentsAllocated()).as("stream 1 reuses its own freed block").isEqualTo(2);
  }

  @Test
  void aStreamScopeRestoresTheStreamCurrentBeforeIt() {
    CachingAllocator a = allocator(64);
    assertThat(a.currentStream()).as("the default stream").isZero();
    try (var outer = a.useStream(3)) {
      try (var inner = a.useStream(5)) {
        assertThat(a.currentStream()).isEqualTo(5);
      }
      assertThat(a.currentStream()).isEqualTo(3);
    }
    assertThat(a.currentStream()).isZero();
  }

  @Test
  void aFailedSegmentReleasesTheFreeSegmentsOfEveryStreamBeforeGivingUp() {
    CachingAllocator a = allocator(1024);
    CachingAllocator.Block onA;
    try (var a1 = a.useStream(1)) {
      onA = a.malloc(600 * MIB);
    }
    a.free(onA);
    try (var b = a.useStream(2)) {
      assertThat(a.malloc(600 * MIB).size())
          .as("stream 1's cached 600 MiB went back to the device, then stream 2 got it")
          .isEqualTo(600 * MIB);
    }
    assertThat(a.reservedBytes()).isEqualTo(600 * MIB);
  }
}
