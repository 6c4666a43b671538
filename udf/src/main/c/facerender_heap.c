/*
 * Counts the bytes the process holds from malloc, so that a CPU budget can bind on what libtorch's
 * CPU allocator (posix_memalign) and everything else asked for, as a GPU allocator's own counters
 * do, rather than on the resident set, whose per-batch peak depends on which freed blocks glibc
 * happens to reuse (docs/performance.md).
 *
 * Only counts when preloaded (LD_PRELOAD): then these definitions come before glibc's and every
 * library's calls reach them. Each call hands the work to glibc's own entry points (__libc_*) and
 * adds or subtracts malloc_usable_size, so a block counts the same when taken and when given back.
 * The Java side (dev.facerender.device.NativeHeap) reads the counters through JNI.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <jni.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>

extern void *__libc_malloc(size_t size);
extern void __libc_free(void *ptr);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

/* JNI passes both to every native method; these need neither. */
#define JNI_UNUSED __attribute__((unused))

static int64_t live_bytes;
static int64_t peak_bytes;

static void add(int64_t bytes) {
  int64_t now = __atomic_add_fetch(&live_bytes, bytes, __ATOMIC_RELAXED);
  if (bytes <= 0) {
    return;
  }
  int64_t peak = __atomic_load_n(&peak_bytes, __ATOMIC_RELAXED);
  while (now > peak &&
         !__atomic_compare_exchange_n(&peak_bytes, &peak, now, 1, __ATOMIC_RELAXED,
                                      __ATOMIC_RELAXED)) {
  }
}

static void *taken(void *ptr) {
  if (ptr != NULL) {
    add((int64_t)malloc_usable_size(ptr));
  }
  return ptr;
}

void *malloc(size_t size) { return taken(__libc_malloc(size)); }

void free(void *ptr) {
  if (ptr != NULL) {
    add(-(int64_t)malloc_usable_size(ptr));
  }
  __libc_free(ptr);
}

void *calloc(size_t count, size_t size) { return taken(__libc_calloc(count, size)); }

void *realloc(void *ptr, size_t size) {
  int64_t before = ptr == NULL ? 0 : (int64_t)malloc_usable_size(ptr);
  void *moved = __libc_realloc(ptr, size);
  if (moved != NULL) {
    add((int64_t)malloc_usable_size(moved) - before);
  } else if (ptr != NULL && size == 0) {
    add(-before); /* realloc(p, 0) frees p */
  }
  return moved;
}

void *reallocarray(void *ptr, size_t count, size_t size) {
  size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes)) {
    errno = ENOMEM;
    return NULL;
  }
  return realloc(ptr, bytes);
}

void *memalign(size_t alignment, size_t size) {
  return taken(__libc_memalign(alignment, size));
}

void *aligned_alloc(size_t alignment, size_t size) {
  return taken(__libc_memalign(alignment, size));
}

int posix_memalign(void **out, size_t alignment, size_t size) {
  if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0) {
    return EINVAL;
  }
  void *ptr = __libc_memalign(alignment, size);
  if (ptr == NULL) {
    return ENOMEM;
  }
  *out = taken(ptr);
  return 0;
}

void *valloc(size_t size) { return taken(__libc_valloc(size)); }

void *pvalloc(size_t size) { return taken(__libc_pvalloc(size)); }

/* Whether this library's malloc is the one everybody calls: only when it was preloaded. */
JNIEXPORT jboolean JNICALL Java_dev_facerender_device_NativeHeap_interposed(JNIEnv *env JNI_UNUSED, jclass cls JNI_UNUSED) {
  return dlsym(RTLD_DEFAULT, "malloc") == (void *)&malloc ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jlong JNICALL Java_dev_facerender_device_NativeHeap_liveBytes(JNIEnv *env JNI_UNUSED, jclass cls JNI_UNUSED) {
  return __atomic_load_n(&live_bytes, __ATOMIC_RELAXED);
}

JNIEXPORT jlong JNICALL Java_dev_facerender_device_NativeHeap_peakBytes(JNIEnv *env JNI_UNUSED, jclass cls JNI_UNUSED) {
  return __atomic_load_n(&peak_bytes, __ATOMIC_RELAXED);
}

JNIEXPORT void JNICALL Java_dev_facerender_device_NativeHeap_resetPeak(JNIEnv *env JNI_UNUSED, jclass cls JNI_UNUSED) {
  __atomic_store_n(&peak_bytes, __atomic_load_n(&live_bytes, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
}
