/* Tests for ledger/base/buffer.c (the growable, always NUL-terminated buffer with a
 * declared maximum) and its use of the failing allocator in ledger/base/alloc.c. */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "ledger/base/alloc.h"
#include "ledger/base/buffer.h"

/* Each test runs in its own process, but switch injection off anyway so a
 * failing test cannot leave it on for the checks that follow it. */
static void allocator_reset(void)
{
  coop_alloc_fail_after(-1);
}

TestSuite(buffer, .init = allocator_reset, .fini = allocator_reset);

/* The buffer's invariants, checked after every operation in these tests. */
static void assert_invariants(const coop_buf *buf)
{
  cr_assert_not_null(buf->data);
  cr_assert_leq(buf->len, buf->max);
  cr_assert_eq(buf->data[buf->len], 0, "not NUL-terminated at %zu", buf->len);
  if (buf->capacity)
    cr_assert_leq(buf->len, buf->capacity);
  else
    cr_assert_eq(buf->len, 0u);
}

Test(buffer, init_is_empty_terminated_and_never_null)
{
  coop_buf buf;
  memset(&buf, 0xA5, sizeof buf);
  coop_buf_init(&buf, 100);
  assert_invariants(&buf);
  cr_assert_eq(buf.len, 0u);
  cr_assert_eq(buf.max, 100u);
  cr_assert_eq(buf.capacity, 0u, "init must not allocate");
  cr_assert_str_eq((const char *)buf.data, "");
  coop_buf_release(&buf);
}

Test(buffer, two_empty_buffers_need_no_allocation)
{
  /* Init allocates nothing: with every allocation failing it still works. */
  coop_alloc_fail_after(0);
  coop_buf first, second;
  coop_buf_init(&first, 10);
  coop_buf_init(&second, 10);
  assert_invariants(&first);
  assert_invariants(&second);
  coop_buf_reset(&first);
  assert_invariants(&first);
  coop_buf_release(&first);
  coop_buf_release(&second);
  assert_invariants(&first);
}

Test(buffer, appends_concatenate_and_terminate)
{
  coop_buf buf;
  coop_buf_init(&buf, 1000);
  cr_assert_eq(coop_buf_append(&buf, "abc", 3), COOP_OK);
  assert_invariants(&buf);
  cr_assert_eq(coop_buf_append_text(&buf, "def"), COOP_OK);
  assert_invariants(&buf);
  cr_assert_eq(coop_buf_append(&buf, "ghij", 2), COOP_OK);
  assert_invariants(&buf);
  cr_assert_eq(buf.len, 8u);
  cr_assert_str_eq((const char *)buf.data, "abcdefgh");
  coop_buf_release(&buf);
}

Test(buffer, append_of_nothing_keeps_buffer_valid)
{
  coop_buf buf;
  coop_buf_init(&buf, 10);
  cr_assert_eq(coop_buf_append(&buf, "", 0), COOP_OK);
  assert_invariants(&buf);
  cr_assert_eq(buf.len, 0u);
  cr_assert_eq(coop_buf_append_text(&buf, ""), COOP_OK);
  assert_invariants(&buf);
  cr_assert_eq(coop_buf_append(&buf, "x", 1), COOP_OK);
  cr_assert_eq(coop_buf_append(&buf, NULL, 0), COOP_OK);
  assert_invariants(&buf);
  cr_assert_str_eq((const char *)buf.data, "x");
  coop_buf_release(&buf);
}

Test(buffer, binary_bytes_with_embedded_nul_are_kept)
{
  static const unsigned char bytes[] = {0x00, 0xff, 0x00, 0x7f, 0x80};
  coop_buf buf;
  coop_buf_init(&buf, 64);
  cr_assert_eq(coop_buf_append(&buf, bytes, sizeof bytes), COOP_OK);
  assert_invariants(&buf);
  cr_assert_eq(buf.len, sizeof bytes);
  cr_assert_arr_eq(buf.data, bytes, sizeof bytes);
  coop_buf_release(&buf);
}

Test(buffer, exactly_max_fits_and_one_more_is_refused_unchanged)
{
  coop_buf buf;
  coop_buf_init(&buf, 10);
  cr_assert_eq(coop_buf_append(&buf, "12345678", 8), COOP_OK);
  unsigned char *data_before = buf.data;
  size_t capacity_before = buf.capacity;

  cr_assert_eq(coop_buf_append(&buf, "abc", 3), COOP_E_LIMIT);
  assert_invariants(&buf);
  cr_assert_eq(buf.len, 8u);
  cr_assert_str_eq((const char *)buf.data, "12345678");
  cr_assert_eq(buf.data, data_before);
  cr_assert_eq(buf.capacity, capacity_before);

  cr_assert_eq(coop_buf_append(&buf, "90", 2), COOP_OK);
  cr_assert_eq(buf.len, 10u);
  cr_assert_str_eq((const char *)buf.data, "1234567890");

  cr_assert_eq(coop_buf_append_u8(&buf, 'x'), COOP_E_LIMIT);
  cr_assert_eq(coop_buf_append_text(&buf, "y"), COOP_E_LIMIT);
  cr_assert_eq(coop_buf_append_u16le(&buf, 1), COOP_E_LIMIT);
  cr_assert_eq(coop_buf_append_u32le(&buf, 1), COOP_E_LIMIT);
  cr_assert_eq(coop_buf_append_u64le(&buf, 1), COOP_E_LIMIT);
  cr_assert_eq(coop_buf_printf(&buf, "%d", 7), COOP_E_LIMIT);
  assert_invariants(&buf);
  cr_assert_eq(buf.len, 10u);
  cr_assert_str_eq((const char *)buf.data, "1234567890");
  /* Appending nothing at the maximum is fine. */
  cr_assert_eq(coop_buf_append(&buf, "", 0), COOP_OK);
  cr_assert_eq(buf.len, 10u);
  coop_buf_release(&buf);
}

Test(buffer, limit_refused_on_empty_buffer_leaves_it_unallocated)
{
  coop_buf buf;
  coop_buf_init(&buf, 4);
  cr_assert_eq(coop_buf_append(&buf, "12345", 5), COOP_E_LIMIT);
  assert_invariants(&buf);
  cr_assert_eq(buf.len, 0u);
  cr_assert_eq(buf.capacity, 0u);
  cr_assert_str_eq((const char *)buf.data, "");
  coop_buf_release(&buf);
}

Test(buffer, max_zero_accepts_nothing)
{
  coop_buf buf;
  coop_buf_init(&buf, 0);
  cr_assert_eq(coop_buf_append(&buf, "a", 1), COOP_E_LIMIT);
  cr_assert_eq(coop_buf_append_u8(&buf, 0), COOP_E_LIMIT);
  assert_invariants(&buf);
  cr_assert_eq(buf.len, 0u);
  coop_buf_release(&buf);
}

Test(buffer, grow_rejects_sizes_that_would_overflow)
{
  coop_buf buf;
  coop_buf_init(&buf, 100);
  cr_assert_eq(coop_buf_append(&buf, "abc", 3), COOP_OK);
  cr_assert_eq(coop_buf_grow(&buf, SIZE_MAX), COOP_E_LIMIT);
  cr_assert_eq(coop_buf_grow(&buf, SIZE_MAX - 1), COOP_E_LIMIT);
  cr_assert_eq(coop_buf_grow(&buf, 98), COOP_E_LIMIT);
  cr_assert_eq(coop_buf_grow(&buf, 97), COOP_OK);
  cr_assert_geq(buf.capacity, 100u);
  assert_invariants(&buf);
  cr_assert_str_eq((const char *)buf.data, "abc");
  coop_buf_release(&buf);
}

/* Regression: with max == SIZE_MAX the doubling loop used to clamp capacity
 * to SIZE_MAX, and coop_realloc(old, capacity + 1) wrapped to a request of 0
 * bytes (which coop_realloc turns into 1): grow reported COOP_OK with
 * capacity SIZE_MAX over a 1-byte block, and the next append wrote past it.
 * No allocation that large can succeed: COOP_E_NOMEM, buffer unchanged. */
Test(buffer, grow_near_size_max_is_nomem_not_a_wrapped_allocation)
{
  static const size_t extras[] = {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX / 2 + 1};
  for (size_t i = 0; i < sizeof extras / sizeof extras[0]; i++) {
    coop_buf buf;
    coop_buf_init(&buf, SIZE_MAX);
    coop_err err = coop_buf_grow(&buf, extras[i]);
    cr_assert_eq(err, COOP_E_NOMEM, "grow(%zu) gave %s with capacity %zu", extras[i],
                 coop_err_name(err), buf.capacity);
    assert_invariants(&buf);
    cr_assert_eq(buf.capacity, 0u);
    coop_buf_release(&buf);

    coop_buf_init(&buf, SIZE_MAX);
    cr_assert_eq(coop_buf_append_text(&buf, "kept"), COOP_OK);
    err = coop_buf_grow(&buf, extras[i] - 4);
    cr_assert_eq(err, COOP_E_NOMEM, "grow(%zu) after 4 bytes gave %s", extras[i] - 4,
                 coop_err_name(err));
    cr_assert_eq(buf.len, 4u);
    cr_assert_str_eq((const char *)buf.data, "kept");
    coop_buf_release(&buf);
  }
}

Test(buffer, grows_across_many_appends)
{
  enum { total = 100000 };
  coop_buf buf;
  coop_buf_init(&buf, total);
  for (size_t i = 0; i < total; i++) {
    cr_assert_eq(coop_buf_append_u8(&buf, (uint8_t)(i * 7 + 3)), COOP_OK, "append %zu", i);
    /* Cheap spot checks of the invariants while growing. */
    if ((i & (i + 1)) == 0 || i % 9973 == 0)
      assert_invariants(&buf);
  }
  assert_invariants(&buf);
  cr_assert_eq(buf.len, (size_t)total);
  cr_assert_leq(buf.capacity, (size_t)total, "capacity must not pass max when max is large");
  for (size_t i = 0; i < total; i++)
    cr_assert_eq(buf.data[i], (uint8_t)(i * 7 + 3), "byte %zu", i);
  cr_assert_eq(coop_buf_append_u8(&buf, 0), COOP_E_LIMIT);
  coop_buf_release(&buf);
}

Test(buffer, growth_to_a_max_that_is_not_a_power_of_two)
{
  /* Doubling from 64 overshoots 1000 at 1024: capacity must clamp to max. */
  coop_buf buf;
  coop_buf_init(&buf, 1000);
  char chunk[37];
  for (size_t i = 0; i < sizeof chunk; i++)
    chunk[i] = (char)('a' + i % 26);
  size_t expected = 0;
  while (expected + sizeof chunk <= 1000) {
    cr_assert_eq(coop_buf_append(&buf, chunk, sizeof chunk), COOP_OK);
    expected += sizeof chunk;
    assert_invariants(&buf);
  }
  cr_assert_eq(coop_buf_append(&buf, chunk, sizeof chunk), COOP_E_LIMIT);
  cr_assert_eq(coop_buf_append(&buf, chunk, 1000 - expected), COOP_OK);
  cr_assert_eq(buf.len, 1000u);
  cr_assert_leq(buf.capacity, 1000u);
  assert_invariants(&buf);
  for (size_t i = 0; i + sizeof chunk <= expected; i += sizeof chunk)
    cr_assert_arr_eq(buf.data + i, chunk, sizeof chunk, "chunk at %zu", i);
  coop_buf_release(&buf);
}

Test(buffer, large_single_append)
{
  enum { size = 70000 };
  static unsigned char bytes[size];
  for (size_t i = 0; i < size; i++)
    bytes[i] = (unsigned char)(i ^ (i >> 8));
  coop_buf buf;
  coop_buf_init(&buf, size);
  cr_assert_eq(coop_buf_append(&buf, "x", 1), COOP_OK);
  cr_assert_eq(coop_buf_append(&buf, bytes, size), COOP_E_LIMIT);
  cr_assert_eq(buf.len, 1u);
  cr_assert_eq(coop_buf_append(&buf, bytes, size - 1), COOP_OK);
  assert_invariants(&buf);
  cr_assert_eq(buf.data[0], 'x');
  cr_assert_arr_eq(buf.data + 1, bytes, size - 1);
  coop_buf_release(&buf);
}

Test(buffer, reset_empties_and_keeps_memory)
{
  coop_buf buf;
  coop_buf_init(&buf, 100);
  cr_assert_eq(coop_buf_append_text(&buf, "hello"), COOP_OK);
  unsigned char *data = buf.data;
  size_t capacity = buf.capacity;
  coop_buf_reset(&buf);
  assert_invariants(&buf);
  cr_assert_eq(buf.len, 0u);
  cr_assert_str_eq((const char *)buf.data, "");
  cr_assert_eq(buf.data, data);
  cr_assert_eq(buf.capacity, capacity);
  cr_assert_eq(buf.max, 100u);
  /* Reuse without allocating. */
  coop_alloc_fail_after(0);
  cr_assert_eq(coop_buf_append_text(&buf, "bye"), COOP_OK);
  cr_assert_str_eq((const char *)buf.data, "bye");
  coop_alloc_fail_after(-1);
  coop_buf_release(&buf);
}

Test(buffer, release_leaves_reusable_empty_buffer_with_same_max)
{
  coop_buf buf;
  coop_buf_init(&buf, 5);
  cr_assert_eq(coop_buf_append_text(&buf, "abcde"), COOP_OK);
  coop_buf_release(&buf);
  assert_invariants(&buf);
  cr_assert_eq(buf.len, 0u);
  cr_assert_eq(buf.capacity, 0u);
  cr_assert_eq(buf.max, 5u);
  cr_assert_str_eq((const char *)buf.data, "");
  /* The max survives release: still enforced. */
  cr_assert_eq(coop_buf_append_text(&buf, "abcdef"), COOP_E_LIMIT);
  cr_assert_eq(coop_buf_append_text(&buf, "vwxyz"), COOP_OK);
  cr_assert_str_eq((const char *)buf.data, "vwxyz");
  coop_buf_release(&buf);
  /* Releasing twice is harmless. */
  coop_buf_release(&buf);
  assert_invariants(&buf);
}

Test(buffer, printf_formats_and_appends)
{
  coop_buf buf;
  coop_buf_init(&buf, 100);
  cr_assert_eq(coop_buf_append_text(&buf, "n="), COOP_OK);
  cr_assert_eq(coop_buf_printf(&buf, "%d, s='%s', x=%04x", -42, "quoted", 0xbeefu), COOP_OK);
  assert_invariants(&buf);
  cr_assert_str_eq((const char *)buf.data, "n=-42, s='quoted', x=beef");
  cr_assert_eq(buf.len, strlen("n=-42, s='quoted', x=beef"));
  cr_assert_eq(coop_buf_printf(&buf, "%s", ""), COOP_OK);
  cr_assert_eq(buf.len, strlen("n=-42, s='quoted', x=beef"));
  cr_assert_eq(coop_buf_printf(&buf, "|%zu", (size_t)18446744073709551615u), COOP_OK);
  cr_assert_str_eq((const char *)buf.data, "n=-42, s='quoted', x=beef|18446744073709551615");
  coop_buf_release(&buf);
}

Test(buffer, printf_on_empty_buffer_with_empty_result)
{
  coop_buf buf;
  coop_buf_init(&buf, 8);
  cr_assert_eq(coop_buf_printf(&buf, "%s", ""), COOP_OK);
  assert_invariants(&buf);
  cr_assert_eq(buf.len, 0u);
  coop_buf_release(&buf);
}

Test(buffer, printf_respects_max_and_leaves_buffer_unchanged)
{
  coop_buf buf;
  coop_buf_init(&buf, 10);
  cr_assert_eq(coop_buf_append_text(&buf, "abcd"), COOP_OK);
  cr_assert_eq(coop_buf_printf(&buf, "%s", "1234567"), COOP_E_LIMIT);
  assert_invariants(&buf);
  cr_assert_eq(buf.len, 4u);
  cr_assert_str_eq((const char *)buf.data, "abcd");
  cr_assert_eq(coop_buf_printf(&buf, "%d%s", 12, "3456"), COOP_OK);
  cr_assert_eq(buf.len, 10u);
  cr_assert_str_eq((const char *)buf.data, "abcd123456");
  coop_buf_release(&buf);
}

Test(buffer, printf_growing_from_allocated_buffer)
{
  /* A result longer than the current capacity forces a reallocation. */
  coop_buf buf;
  coop_buf_init(&buf, 4096);
  cr_assert_eq(coop_buf_append_text(&buf, "x"), COOP_OK);
  char expected[1024];
  memset(expected, 'z', sizeof expected);
  expected[sizeof expected - 1] = 0;
  cr_assert_eq(coop_buf_printf(&buf, "%s|", expected), COOP_OK);
  assert_invariants(&buf);
  cr_assert_eq(buf.len, 1 + strlen(expected) + 1);
  cr_assert_eq(buf.data[0], 'x');
  cr_assert_arr_eq(buf.data + 1, expected, strlen(expected));
  cr_assert_eq(buf.data[buf.len - 1], '|');
  coop_buf_release(&buf);
}

Test(buffer, put_little_endian_known_bytes)
{
  unsigned char out[8];
  coop_put_u16le(out, 0x1234);
  cr_assert_arr_eq(out, ((unsigned char[]){0x34, 0x12}), 2);
  coop_put_u32le(out, 0x01020304u);
  cr_assert_arr_eq(out, ((unsigned char[]){0x04, 0x03, 0x02, 0x01}), 4);
  coop_put_u64le(out, UINT64_C(0x0102030405060708));
  cr_assert_arr_eq(out, ((unsigned char[]){0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01}), 8);
  coop_put_u64le(out, UINT64_C(0x8000000000000001));
  cr_assert_arr_eq(out, ((unsigned char[]){0x01, 0, 0, 0, 0, 0, 0, 0x80}), 8);
  coop_put_u32le(out, 0xdeadbeefu);
  cr_assert_arr_eq(out, ((unsigned char[]){0xef, 0xbe, 0xad, 0xde}), 4);
}

Test(buffer, put_writes_exactly_its_width)
{
  unsigned char out[10];
  memset(out, 0xAA, sizeof out);
  coop_put_u16le(out + 1, 0);
  cr_assert_arr_eq(out, ((unsigned char[]){0xAA, 0, 0, 0xAA}), 4);
  memset(out, 0xAA, sizeof out);
  coop_put_u32le(out + 1, 0);
  cr_assert_arr_eq(out, ((unsigned char[]){0xAA, 0, 0, 0, 0, 0xAA}), 6);
  memset(out, 0xAA, sizeof out);
  coop_put_u64le(out + 1, 0);
  cr_assert_arr_eq(out, ((unsigned char[]){0xAA, 0, 0, 0, 0, 0, 0, 0, 0, 0xAA}), 10);
}

Test(buffer, get_little_endian_known_bytes)
{
  const unsigned char bytes[] = {0xef, 0xbe, 0xad, 0xde, 0x78, 0x56, 0x34, 0x92};
  cr_assert_eq(coop_get_u16le(bytes), 0xbeefu);
  cr_assert_eq(coop_get_u32le(bytes), 0xdeadbeefu);
  cr_assert_eq(coop_get_u64le(bytes), UINT64_C(0x92345678deadbeef));
  const unsigned char ones[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  cr_assert_eq(coop_get_u16le(ones), UINT16_MAX);
  cr_assert_eq(coop_get_u32le(ones), UINT32_MAX);
  cr_assert_eq(coop_get_u64le(ones), UINT64_MAX);
}

/* A small deterministic generator for round-trip values (splitmix64). */
static uint64_t next_random(uint64_t *state)
{
  uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

Test(buffer, little_endian_round_trips)
{
  uint64_t state = 42;
  unsigned char out[8];
  for (int i = 0; i < 10000; i++) {
    uint64_t value = next_random(&state);
    /* Every byte position gets some values with the high bit set. */
    coop_put_u16le(out, (uint16_t)value);
    cr_assert_eq(coop_get_u16le(out), (uint16_t)value);
    coop_put_u32le(out, (uint32_t)value);
    cr_assert_eq(coop_get_u32le(out), (uint32_t)value);
    coop_put_u64le(out, value);
    cr_assert_eq(coop_get_u64le(out), value);
    for (int b = 0; b < 8; b++)
      cr_assert_eq(out[b], (unsigned char)(value >> (8 * b)));
  }
}

Test(buffer, append_integers_writes_little_endian)
{
  coop_buf buf;
  coop_buf_init(&buf, 64);
  cr_assert_eq(coop_buf_append_u8(&buf, 0xA1), COOP_OK);
  cr_assert_eq(coop_buf_append_u16le(&buf, 0xB2C3), COOP_OK);
  cr_assert_eq(coop_buf_append_u32le(&buf, 0xD4E5F607u), COOP_OK);
  cr_assert_eq(coop_buf_append_u64le(&buf, UINT64_C(0x1122334455667788)), COOP_OK);
  assert_invariants(&buf);
  static const unsigned char expected[] = {0xA1, 0xC3, 0xB2, 0x07, 0xF6, 0xE5, 0xD4, 0x88,
                                           0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11};
  cr_assert_eq(buf.len, sizeof expected);
  cr_assert_arr_eq(buf.data, expected, sizeof expected);
  coop_buf_release(&buf);
}

Test(buffer, integer_append_refused_whole_when_partly_fitting)
{
  /* A u64 that only half fits must not write its first bytes. */
  coop_buf buf;
  coop_buf_init(&buf, 6);
  cr_assert_eq(coop_buf_append_u16le(&buf, 0x0102), COOP_OK);
  cr_assert_eq(coop_buf_append_u64le(&buf, UINT64_MAX), COOP_E_LIMIT);
  cr_assert_eq(buf.len, 2u);
  cr_assert_eq(buf.data[2], 0);
  cr_assert_eq(coop_buf_append_u32le(&buf, 0x03040506u), COOP_OK);
  cr_assert_arr_eq(buf.data, ((unsigned char[]){0x02, 0x01, 0x06, 0x05, 0x04, 0x03}), 6);
  coop_buf_release(&buf);
}

Test(buffer, first_allocation_failure_returns_nomem_and_keeps_buffer_empty)
{
  coop_buf buf;
  coop_buf_init(&buf, 100);
  coop_alloc_fail_after(0);
  cr_assert_eq(coop_buf_append(&buf, "abc", 3), COOP_E_NOMEM);
  assert_invariants(&buf);
  cr_assert_eq(buf.len, 0u);
  cr_assert_eq(buf.capacity, 0u);
  cr_assert_str_eq((const char *)buf.data, "");
  cr_assert_eq(coop_buf_printf(&buf, "%d", 5), COOP_E_NOMEM);
  cr_assert_eq(buf.len, 0u);
  cr_assert_eq(coop_buf_append_u8(&buf, 1), COOP_E_NOMEM);
  cr_assert_eq(buf.len, 0u);
  /* Failures persist until reset. */
  cr_assert_eq(coop_buf_append(&buf, "abc", 3), COOP_E_NOMEM);
  coop_alloc_fail_after(-1);
  cr_assert_eq(coop_buf_append(&buf, "abc", 3), COOP_OK);
  cr_assert_str_eq((const char *)buf.data, "abc");
  coop_buf_release(&buf);
}

Test(buffer, growth_failure_returns_nomem_and_keeps_contents)
{
  coop_buf buf;
  coop_buf_init(&buf, 10000);
  char first[64];
  memset(first, 'q', sizeof first);
  cr_assert_eq(coop_buf_append(&buf, first, sizeof first), COOP_OK);
  unsigned char *data = buf.data;
  size_t capacity = buf.capacity;
  cr_assert_eq(buf.len, capacity, "test assumes the first allocation is exactly full");

  coop_alloc_fail_after(0);
  cr_assert_eq(coop_buf_append(&buf, "r", 1), COOP_E_NOMEM);
  assert_invariants(&buf);
  cr_assert_eq(buf.len, sizeof first);
  cr_assert_eq(buf.data, data);
  cr_assert_eq(buf.capacity, capacity);
  cr_assert_arr_eq(buf.data, first, sizeof first);
  cr_assert_eq(coop_buf_printf(&buf, "%s", "long enough to grow"), COOP_E_NOMEM);
  cr_assert_eq(buf.len, sizeof first);
  cr_assert_eq(buf.data[buf.len], 0);

  coop_alloc_fail_after(-1);
  cr_assert_eq(coop_buf_append(&buf, "r", 1), COOP_OK);
  cr_assert_eq(buf.len, sizeof first + 1);
  cr_assert_arr_eq(buf.data, first, sizeof first);
  cr_assert_eq(buf.data[sizeof first], 'r');
  coop_buf_release(&buf);
}

Test(buffer, fail_after_n_lets_exactly_n_allocations_succeed)
{
  /* Each doubling is one allocation: 64 -> 128 -> 256 -> 512. */
  coop_buf buf;
  coop_buf_init(&buf, 100000);
  char chunk[64];
  memset(chunk, 'c', sizeof chunk);
  coop_alloc_fail_after(3);
  for (int i = 0; i < 4; i++)
    cr_assert_eq(coop_buf_append(&buf, chunk, sizeof chunk), COOP_OK, "append %d", i);
  cr_assert_eq(buf.len, 256u);
  cr_assert_eq(coop_buf_append(&buf, chunk, sizeof chunk), COOP_E_NOMEM);
  cr_assert_eq(buf.len, 256u);
  assert_invariants(&buf);
  coop_alloc_fail_after(-1);
  cr_assert_eq(coop_buf_append(&buf, chunk, sizeof chunk), COOP_OK);
  cr_assert_eq(buf.len, 320u);
  coop_buf_release(&buf);
}

Test(buffer, allocator_wrappers_obey_injection)
{
  coop_alloc_fail_after(2);
  void *first = coop_malloc(10);
  char *second = coop_strdup("copy");
  void *third = coop_calloc(2, 8);
  void *fourth = coop_realloc(NULL, 8);
  cr_assert_not_null(first);
  cr_assert_not_null(second);
  cr_assert_str_eq(second, "copy");
  cr_assert_null(third);
  cr_assert_null(fourth);
  coop_alloc_fail_after(-1);
  void *fifth = coop_calloc(4, 4);
  cr_assert_not_null(fifth);
  for (int i = 0; i < 16; i++)
    cr_assert_eq(((unsigned char *)fifth)[i], 0);
  coop_free(first);
  coop_free(second);
  coop_free(fifth);
  coop_free(NULL);
}
