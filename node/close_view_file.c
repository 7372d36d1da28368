/* The month close's view of the own log in a file (node/close_view_file.h). */
#include "node/close_view_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/base/buffer.h"
#include "ledger/log/codec.h"
#include "node/books_int.h"

#define MAGIC "COOPCVW"
#define MAGIC_BYTES 7u
#define TAG_BYTES crypto_generichash_BYTES
#define KEY_ITEM_BYTES (LEDGER_AUDIENCE_ID_BYTES + LEDGER_AUDIENCE_KEY_BYTES)
#define HEAD_BYTES (MAGIC_BYTES + 1 + LEDGER_LOG_ID_BYTES)
/* A record and a statement as put_record and put_statements_from write them. */
#define RECORD_BYTES (LEDGER_AUDIENCE_ID_BYTES + 8 + LEDGER_HASH_BYTES + 4 + 4 + 1 + 1 + 5 * 8)
#define STATEMENT_BYTES (LEDGER_AUDIENCE_ID_BYTES + 8 + LEDGER_HASH_BYTES + 4)
_Static_assert(crypto_generichash_BYTES == 32, "a 256-bit tag");
_Static_assert(crypto_kdf_KEYBYTES == 32, "the identity's seed is the KDF's master key");

/* Subkey `id` of the identity's seed under the context "closevw1": 1 the
 * tag's key, 2 the key that seals the audience keys.  Only this node can
 * make a file it accepts or open the keys in it, and the seed itself is
 * never used as a MAC or sealing key. */
#define SUBKEY_TAG 1u
#define SUBKEY_KEYS 2u
_Static_assert(crypto_secretbox_KEYBYTES == 32, "a 256-bit sealing key");

static coop_err derived_key(const node *self, uint64_t id, uint8_t key[32])
{
  if (!self->identity.secret_key)
    return COOP_E_CRYPTO;
  /* libsodium's Ed25519 secret key is seed || public key. */
  if (crypto_kdf_derive_from_key(key, 32, id, "closevw1", self->identity.secret_key))
    return COOP_E_CRYPTO;
  return COOP_OK;
}

static coop_err tag_key(const node *self, uint8_t key[crypto_generichash_KEYBYTES])
{
  return derived_key(self, SUBKEY_TAG, key);
}

/* The tag of a segment: keyed BLAKE2b over the tag before it (`previous`)
 * and its bytes, so a segment is good only after the one it followed when
 * written: one cut off, moved or replayed elsewhere does not verify.  The
 * chain starts with the tag of the head (previous NULL). */
static coop_err chain_tag(const node *self, const uint8_t *previous, const uint8_t *bytes,
                          size_t count, uint8_t tag[TAG_BYTES])
{
  uint8_t key[crypto_generichash_KEYBYTES];
  crypto_generichash_state state;
  coop_err err = tag_key(self, key);
  if (!err && crypto_generichash_init(&state, key, sizeof key, TAG_BYTES))
    err = COOP_E_CRYPTO;
  if (!err && previous)
    crypto_generichash_update(&state, previous, TAG_BYTES);
  if (!err) {
    crypto_generichash_update(&state, bytes, count);
    crypto_generichash_final(&state, tag, TAG_BYTES);
  }
  sodium_memzero(key, sizeof key);
  sodium_memzero(&state, sizeof state);
  return err;
}

/* ---- writing ----------------------------------------------------------- */

/* A coop_buf with a sticky error: the encoding below is a long list of
 * fields, checked once at the end. */
typedef struct writer {
  coop_buf buf;
  coop_err err;
} writer;

static void put(writer *w, const void *bytes, size_t count)
{
  ledger_write_bytes(&w->buf, bytes, count, &w->err);
}

static void put_u8(writer *w, uint8_t value) { ledger_write_u8(&w->buf, value, &w->err); }
static void put_u32(writer *w, uint32_t value) { ledger_write_u32(&w->buf, value, &w->err); }
static void put_u64(writer *w, uint64_t value) { ledger_write_u64(&w->buf, value, &w->err); }
static void put_i64(writer *w, int64_t value) { ledger_write_i64(&w->buf, value, &w->err); }

/* A count of items (u32: a view's lists are far below 2^32). */
static void put_count(writer *w, size_t count)
{
  if (count > UINT32_MAX && !w->err)
    w->err = COOP_E_LIMIT;
  put_u32(w, (uint32_t)count);
}

/* A NUL-terminated field of `room` bytes, as the log's codec writes text. */
static void put_text(writer *w, const char *text, size_t room)
{
  ledger_write_text16(&w->buf, text, room - 1, &w->err);
}

static void put_fact(writer *w, const ledger_member_fact *fact)
{
  put_u8(w, fact->field);
  put_u32(w, fact->from_period);
  put_u32(w, fact->value);
  put_u64(w, fact->index);
}

static void put_facts(writer *w, const ledger_member_fact *facts, size_t count)
{
  put_count(w, count);
  for (size_t i = 0; i < count; i++)
    put_fact(w, &facts[i]);
}

static void put_member(writer *w, const log_member *who)
{
  put(w, who->audience, LEDGER_AUDIENCE_ID_BYTES);
  put_u64(w, who->enrolled_at);
  put_text(w, who->member_id, sizeof who->member_id);
  put_text(w, who->name, sizeof who->name);
  put_text(w, who->client_ref, sizeof who->client_ref);
  put(w, who->municipality, LEDGER_PUBLIC_KEY_BYTES);
  put(w, who->member_key, LEDGER_PUBLIC_KEY_BYTES);
  put_count(w, who->detail_count);
  for (size_t i = 0; i < who->detail_count; i++) {
    const log_member_details *details = &who->details[i];
    put_u64(w, details->index);
    put(w, details->audience, LEDGER_AUDIENCE_ID_BYTES);
    put_text(w, details->name, sizeof details->name);
    put_text(w, details->client_ref, sizeof details->client_ref);
    put(w, details->member_key, LEDGER_PUBLIC_KEY_BYTES);
  }
  put_facts(w, who->facts, who->fact_count);
  put_count(w, who->residence_count);
  for (size_t r = 0; r < who->residence_count; r++) {
    const log_residence *residence = &who->residences[r];
    put(w, residence->audience, LEDGER_AUDIENCE_ID_BYTES);
    put_u32(w, residence->from_period);
    put_u64(w, residence->index);
    put(w, residence->municipality, LEDGER_PUBLIC_KEY_BYTES);
    put_facts(w, residence->facts, residence->fact_count);
  }
}

static void put_record(writer *w, const ledger_month_record *record)
{
  put(w, record->audience, LEDGER_AUDIENCE_ID_BYTES);
  put_u64(w, record->index);
  put(w, record->leaf, LEDGER_HASH_BYTES);
  put_u32(w, record->date);
  put_u32(w, record->period);
  put_u8(w, record->type);
  put_u8(w, record->memo_type);
  put_i64(w, record->quantity);
  put_i64(w, record->revenue);
  put_i64(w, record->costs);
  put_i64(w, record->allowance);
  put_i64(w, record->spend);
}

static void put_audiences(writer *w, const uint8_t (*audiences)[LEDGER_AUDIENCE_ID_BYTES],
                          size_t count)
{
  put_count(w, count);
  for (size_t i = 0; i < count; i++)
    put(w, audiences[i], LEDGER_AUDIENCE_ID_BYTES);
}

/* Records [from, count) of the view: what the segment adds to the file's
 * list (from: how many the segments before it hold). */
static void put_records_from(writer *w, const log_view *view, size_t from)
{
  put_count(w, from);
  put_count(w, view->record_count - from);
  for (size_t i = from; i < view->record_count; i++)
    put_record(w, &view->records[i]);
}

static void put_statements_from(writer *w, const log_view *view, size_t from)
{
  put_count(w, from);
  put_count(w, view->statement_count - from);
  for (size_t i = from; i < view->statement_count; i++) {
    const log_statement *item = &view->statements[i];
    put(w, item->audience, LEDGER_AUDIENCE_ID_BYTES);
    put_u64(w, item->index);
    put(w, item->leaf, LEDGER_HASH_BYTES);
    put_u32(w, item->period);
  }
}

/* The parts of the view a later entry may change in place (a member's
 * facts and details, the sorted unread list) or that are small: whole in
 * every segment, only the last segment's are read. */
static void put_view_whole(writer *w, const log_view *view)
{
  put_u32(w, (uint32_t)view->role);
  put_text(w, view->name, sizeof view->name);
  put_count(w, view->member_count);
  for (size_t m = 0; m < view->member_count; m++)
    put_member(w, &view->members[m]);
  put_count(w, view->closed_count);
  for (size_t i = 0; i < view->closed_count; i++)
    put_u32(w, view->closed[i]);
  put_u64(w, view->last_close_index);
  put_audiences(w, (const uint8_t(*)[LEDGER_AUDIENCE_ID_BYTES])view->erased, view->erased_count);
  put_audiences(w, (const uint8_t(*)[LEDGER_AUDIENCE_ID_BYTES])view->unread, view->unread_count);
}

static void put_period(writer *w, ledger_offset_period period)
{
  put_u32(w, (uint32_t)period.year);
  put_u32(w, (uint32_t)period.month);
}

static void put_window(writer *w, const ledger_offset_window *window)
{
  put_u8(w, window->opened);
  put_period(w, window->start);
}

static void put_states(writer *w, const close_view_state *states, size_t count)
{
  put_count(w, count);
  for (size_t i = 0; i < count; i++) {
    const ledger_offset_state *state = &states[i].state;
    put_u64(w, states[i].statement);
    put_u8(w, state->has_month);
    put_period(w, state->last);
    put_window(w, &state->n_window);
    put_window(w, &state->r_window);
    put_window(w, &state->a34_window);
    put_i64(w, state->k_ytd_cents);
    put_i64(w, state->loss_carried_cents);
  }
}

/* ---- the audience keys ------------------------------------------------ */

/* The keys of the view's member audiences that the node's ring holds (its
 * own log's: the close just used them), sealed with crypto_secretbox
 * under subkey 2, in secure memory until sealed.  A one-shot close then
 * opens no key grant: per member two SQLite lookups and an X25519, ~0.4 s
 * of a close of 10,000 (docs/performance.md).  The identity's seed sits
 * beside this file with the same mode, so the file exposes nothing the
 * key file does not; an erasure removes the file with her keys in it. */
static void put_keys(writer *w, node *self, const log_view *view)
{
  size_t room = 0;
  for (size_t m = 0; m < view->member_count; m++)
    room += view->members[m].residence_count;
  uint8_t *plain = sodium_malloc(room * KEY_ITEM_BYTES + 1);
  uint8_t box_key[crypto_secretbox_KEYBYTES], nonce[crypto_secretbox_NONCEBYTES];
  size_t held = 0;
  node_key_ring *ring = node_keys(self); /* sets the ring's node: a handle may be a copy */
  if (!w->err && !plain)
    w->err = COOP_E_NOMEM;
  if (!w->err)
    w->err = derived_key(self, SUBKEY_KEYS, box_key);
  for (size_t m = 0; !w->err && m < view->member_count; m++)
    for (size_t r = 0; r < view->members[m].residence_count; r++) {
      const uint8_t *audience = view->members[m].residences[r].audience, *key = NULL;
      if (node_key_ring_key(ring, self->identity.public_key, audience, &key) || !key)
        continue; /* not readable here: the close reads its grant if it ever is */
      memcpy(plain + held * KEY_ITEM_BYTES, audience, LEDGER_AUDIENCE_ID_BYTES);
      memcpy(plain + held * KEY_ITEM_BYTES + LEDGER_AUDIENCE_ID_BYTES, key,
             LEDGER_AUDIENCE_KEY_BYTES);
      held++;
    }
  size_t sealed_bytes = held * KEY_ITEM_BYTES + crypto_secretbox_MACBYTES;
  randombytes_buf(nonce, sizeof nonce);
  put_u32(w, (uint32_t)held);
  put(w, nonce, sizeof nonce);
  if (!w->err)
    w->err = coop_buf_grow(&w->buf, sealed_bytes);
  if (!w->err) {
    crypto_secretbox_easy(w->buf.data + w->buf.len, plain, held * KEY_ITEM_BYTES, nonce, box_key);
    w->buf.len += sealed_bytes;
    w->buf.data[w->buf.len] = 0; /* the buffer's invariant */
  }
  sodium_memzero(box_key, sizeof box_key);
  sodium_free(plain);
}

/* A u32 written earlier as 0 (a length not known then), now `value`. */
static void patch_u32(writer *w, size_t at, size_t value)
{
  if (!w->err && value > UINT32_MAX)
    w->err = COOP_E_LIMIT;
  for (unsigned i = 0; !w->err && i < 4; i++)
    w->buf.data[at + i] = (uint8_t)(value >> (8 * i));
}

static void put_head(writer *w, node *self)
{
  put(w, MAGIC, MAGIC_BYTES);
  put_u8(w, CLOSE_VIEW_FILE_VERSION);
  put(w, self->identity.public_key, LEDGER_LOG_ID_BYTES);
}

/* One segment without its tag: the entries it reflects, the records and
 * statements past those of the segments before it, the rest whole. */
static void put_segment(writer *w, node *self, const close_view_image *image, size_t record_from,
                        size_t statement_from)
{
  size_t body_at = w->buf.len;
  put_u32(w, 0);
  put_u64(w, image->size);
  put(w, image->last_leaf, LEDGER_HASH_BYTES);
  put_records_from(w, image->view, record_from);
  put_statements_from(w, image->view, statement_from);
  size_t whole_at = w->buf.len;
  put_u32(w, 0);
  put_view_whole(w, image->view);
  put_states(w, image->states, image->state_count);
  put_keys(w, self, image->view);
  patch_u32(w, whole_at, w->buf.len - whole_at - 4);
  patch_u32(w, body_at, w->buf.len - body_at - 4);
}

/* Writes `bytes` to `path` by way of a temporary file beside it: a reader
 * sees the old file or the new one, whole.  *status: the new file's. */
static coop_err replace_file(const char *path, const uint8_t *bytes, size_t count,
                             struct stat *status)
{
  coop_buf temporary;
  coop_buf_init(&temporary, NODE_PATH_BYTES_MAX + 32);
  if (coop_buf_printf(&temporary, "%s.%ld.tmp", path, (long)getpid()))
    return COOP_E_LIMIT;
  const char *name = (const char *)temporary.data;
  int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  coop_err err = fd < 0 ? COOP_E_IO : coop_write_all(fd, bytes, count);
  if (!err && (fsync(fd) || fstat(fd, status)))
    err = COOP_E_IO;
  if (fd >= 0 && close(fd) && !err)
    err = COOP_E_IO;
  if (!err && rename(name, path))
    err = COOP_E_IO;
  if (err && fd >= 0)
    unlink(name);
  coop_buf_release(&temporary);
  return err;
}

/* May the next segment go at the end of the file the mark describes: is it
 * still that file (same inode, as long as when it was read or written, so
 * nothing half-written or foreign follows its last tag), with our mode and
 * owner, and not too many segments yet?  The file open for appending, or
 * -1: write it whole. */
static int open_for_append(const char *path, const close_view_image *image)
{
  const close_view_mark *mark = &image->mark;
  if (!mark->valid || mark->segments >= CLOSE_VIEW_SEGMENTS_MAX ||
      image->view->record_count < mark->records ||
      image->view->statement_count < mark->statements)
    return -1;
  int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
  struct stat status;
  if (fd >= 0 && (fstat(fd, &status) || !S_ISREG(status.st_mode) || (status.st_mode & 077) ||
                  status.st_uid != geteuid() || (uint64_t)status.st_dev != mark->device ||
                  (uint64_t)status.st_ino != mark->inode ||
                  (uint64_t)status.st_size != mark->bytes)) {
    close(fd);
    fd = -1;
  }
  return fd;
}

/* Appends the segment's bytes: fsync'd, no rename (a crash mid-append
 * leaves a last segment whose tag does not verify: readers use the ones
 * before it, and the next save, finding the file longer than its mark,
 * writes it whole).  Nothing is cut back on failure: a reader may be
 * mapping those bytes. */
static coop_err append_file(int fd, const uint8_t *bytes, size_t count, struct stat *status)
{
  coop_err err = coop_write_all(fd, bytes, count);
  if (!err && (fsync(fd) || fstat(fd, status)))
    err = COOP_E_IO;
  if (close(fd) && !err)
    err = COOP_E_IO;
  return err;
}

/* About the bytes put_segment writes from those positions on (names
 * counted at a typical length): the buffer is allocated once, not doubled
 * and copied a dozen times on the way to ~10 MB (that copying, and
 * faulting in each new block, was 8 % of a one-shot close of 10,000
 * members). */
static size_t segment_bytes(const close_view_image *image, size_t record_from,
                            size_t statement_from)
{
  const log_view *view = image->view;
  size_t bytes = HEAD_BYTES + 64 + view->closed_count * 4 +
                 (view->erased_count + view->unread_count) * LEDGER_AUDIENCE_ID_BYTES;
  for (size_t m = 0; m < view->member_count; m++) {
    const log_member *who = &view->members[m];
    bytes += 200 + who->detail_count * 120 + who->fact_count * 17;
    for (size_t r = 0; r < who->residence_count; r++)
      bytes += 64 + KEY_ITEM_BYTES + who->residences[r].fact_count * 17;
  }
  bytes += (view->record_count - record_from) * RECORD_BYTES;
  bytes += (view->statement_count - statement_from) * STATEMENT_BYTES;
  return bytes + image->state_count * 60 + TAG_BYTES;
}

/* Encodes into w the head (not when appending: the file has one) and the
 * segment with its tag, which also goes to `tag`. */
static coop_err encode(writer *w, node *self, const close_view_image *image, bool append,
                       uint8_t tag[TAG_BYTES])
{
  size_t record_from = append ? image->mark.records : 0;
  size_t statement_from = append ? image->mark.statements : 0;
  coop_buf_init(&w->buf, CLOSE_VIEW_FILE_BYTES_MAX - TAG_BYTES);
  size_t estimate = segment_bytes(image, record_from, statement_from);
  w->err = coop_buf_grow(&w->buf, estimate < w->buf.max ? estimate : w->buf.max);
  uint8_t previous[TAG_BYTES];
  if (append) {
    memcpy(previous, image->mark.tag, TAG_BYTES);
  } else {
    put_head(w, self);
    if (!w->err)
      w->err = chain_tag(self, NULL, w->buf.data, HEAD_BYTES, previous);
  }
  size_t segment_at = w->buf.len;
  put_segment(w, self, image, record_from, statement_from);
  coop_err err = w->err ? w->err
                        : chain_tag(self, previous, w->buf.data + segment_at,
                                    w->buf.len - segment_at, tag);
  if (!err) {
    w->buf.max += TAG_BYTES;
    err = coop_buf_append(&w->buf, tag, TAG_BYTES);
  }
  return err;
}

coop_err close_view_file_save(node *self, close_view_image *image)
{
  char *path = node_path(self->home, NODE_CLOSE_VIEW_FILE);
  int fd = path ? open_for_append(path, image) : -1;
  image->appended = fd >= 0;
  writer w = {.err = COOP_OK};
  uint8_t tag[TAG_BYTES];
  coop_err err = path ? encode(&w, self, image, image->appended, tag) : COOP_E_NOMEM;
  struct stat status;
  if (image->appended)
    err = err ? (close(fd), err) : append_file(fd, w.buf.data, w.buf.len, &status);
  else if (!err)
    err = replace_file(path, w.buf.data, w.buf.len, &status);
  close_view_mark *mark = &image->mark;
  mark->valid = !err;
  if (!err) {
    mark->segments = image->appended ? mark->segments + 1 : 1;
    mark->bytes = image->appended ? mark->bytes + w.buf.len : w.buf.len;
    mark->device = (uint64_t)status.st_dev;
    mark->inode = (uint64_t)status.st_ino;
    mark->records = image->view->record_count;
    mark->statements = image->view->statement_count;
    memcpy(mark->tag, tag, TAG_BYTES);
  }
  image->written_bytes = err ? 0 : w.buf.len;
  coop_free(path);
  /* It held members' names: not left in freed memory. */
  if (w.buf.capacity)
    sodium_memzero(w.buf.data, w.buf.len);
  coop_buf_release(&w.buf);
  return err;
}

/* ---- reading ----------------------------------------------------------- */

/* The file's bytes through the log's codec (ledger/log/codec.h): a field
 * past the end, or a count or length out of bounds, fails the whole read
 * (the reader's error sticks). */
typedef ledger_reader reader;

static void get(reader *r, void *out, size_t count) { ledger_read_bytes(r, out, count); }
static uint8_t get_u8(reader *r) { return ledger_read_u8(r); }
static uint32_t get_u32(reader *r) { return ledger_read_u32(r); }
static uint64_t get_u64(reader *r) { return ledger_read_u64(r); }
static int64_t get_i64(reader *r) { return ledger_read_i64(r); }

/* A count of items of at least `item_bytes` each in the file: never more
 * than the bytes left could hold, so a damaged count allocates nothing
 * large. */
static size_t get_count(reader *r, size_t item_bytes)
{
  uint32_t count = get_u32(r);
  if (!r->error && (r->length - r->position) / item_bytes < count)
    r->error = COOP_E_DECODE;
  return r->error ? 0 : count;
}

static void get_text(reader *r, char *out, size_t room) { ledger_read_text16(r, out, room - 1); }

/* An array of `count` items of `size` bytes (NULL for none), its capacity
 * the count. */
static void *get_array(reader *r, size_t count, size_t size, size_t *capacity)
{
  *capacity = 0;
  if (r->error || !count)
    return NULL;
  void *items = coop_calloc(count, size);
  if (!items)
    r->error = COOP_E_NOMEM;
  else
    *capacity = count;
  return items;
}

static ledger_member_fact *get_facts(reader *r, size_t *count, size_t *capacity)
{
  *count = get_count(r, 17);
  ledger_member_fact *facts = get_array(r, *count, sizeof *facts, capacity);
  for (size_t i = 0; facts && i < *count; i++) {
    facts[i].field = get_u8(r);
    facts[i].from_period = get_u32(r);
    facts[i].value = get_u32(r);
    facts[i].index = get_u64(r);
  }
  if (!facts)
    *count = 0;
  return facts;
}

static void get_details(reader *r, log_member *who)
{
  who->detail_count = get_count(r, 8 + LEDGER_AUDIENCE_ID_BYTES + 8 + LEDGER_PUBLIC_KEY_BYTES);
  who->details = get_array(r, who->detail_count, sizeof *who->details, &who->detail_capacity);
  if (!who->details)
    who->detail_count = 0;
  for (size_t i = 0; i < who->detail_count; i++) {
    log_member_details *details = &who->details[i];
    details->index = get_u64(r);
    get(r, details->audience, LEDGER_AUDIENCE_ID_BYTES);
    get_text(r, details->name, sizeof details->name);
    get_text(r, details->client_ref, sizeof details->client_ref);
    get(r, details->member_key, LEDGER_PUBLIC_KEY_BYTES);
  }
}

static void get_residences(reader *r, log_member *who)
{
  who->residence_count =
      get_count(r, LEDGER_AUDIENCE_ID_BYTES + 12 + LEDGER_PUBLIC_KEY_BYTES + 4);
  who->residences =
      get_array(r, who->residence_count, sizeof *who->residences, &who->residence_capacity);
  if (!who->residences)
    who->residence_count = 0;
  for (size_t i = 0; i < who->residence_count; i++) {
    log_residence *residence = &who->residences[i];
    get(r, residence->audience, LEDGER_AUDIENCE_ID_BYTES);
    residence->from_period = get_u32(r);
    residence->index = get_u64(r);
    get(r, residence->municipality, LEDGER_PUBLIC_KEY_BYTES);
    residence->facts = get_facts(r, &residence->fact_count, &residence->fact_capacity);
  }
  /* Every member has her enrolment's residence (log_view_residence_at). */
  if (!r->error && !who->residence_count)
    r->error = COOP_E_DECODE;
}

static void get_member(reader *r, log_member *who)
{
  get(r, who->audience, LEDGER_AUDIENCE_ID_BYTES);
  who->enrolled_at = get_u64(r);
  get_text(r, who->member_id, sizeof who->member_id);
  get_text(r, who->name, sizeof who->name);
  get_text(r, who->client_ref, sizeof who->client_ref);
  get(r, who->municipality, LEDGER_PUBLIC_KEY_BYTES);
  get(r, who->member_key, LEDGER_PUBLIC_KEY_BYTES);
  get_details(r, who);
  who->facts = get_facts(r, &who->fact_count, &who->fact_capacity);
  get_residences(r, who);
}

static void get_record(reader *r, ledger_month_record *record)
{
  get(r, record->audience, LEDGER_AUDIENCE_ID_BYTES);
  record->index = get_u64(r);
  get(r, record->leaf, LEDGER_HASH_BYTES);
  record->date = get_u32(r);
  record->period = get_u32(r);
  record->type = get_u8(r);
  record->memo_type = get_u8(r);
  record->quantity = get_i64(r);
  record->revenue = get_i64(r);
  record->costs = get_i64(r);
  record->allowance = get_i64(r);
  record->spend = get_i64(r);
}

static void *get_audiences(reader *r, size_t *count, size_t *capacity)
{
  *count = get_count(r, LEDGER_AUDIENCE_ID_BYTES);
  uint8_t(*audiences)[LEDGER_AUDIENCE_ID_BYTES] =
      get_array(r, *count, LEDGER_AUDIENCE_ID_BYTES, capacity);
  for (size_t i = 0; audiences && i < *count; i++)
    get(r, audiences[i], LEDGER_AUDIENCE_ID_BYTES);
  if (!audiences)
    *count = 0;
  return audiences;
}

/* The part of a segment written whole (put_view_whole). */
static void get_view_whole(reader *r, log_view *view)
{
  view->role = (int)get_u32(r);
  get_text(r, view->name, sizeof view->name);
  view->member_count = get_count(r, LEDGER_AUDIENCE_ID_BYTES + 8);
  view->members = get_array(r, view->member_count, sizeof *view->members, &view->member_capacity);
  if (!view->members)
    view->member_count = 0;
  for (size_t m = 0; m < view->member_count && !r->error; m++)
    get_member(r, &view->members[m]);
  view->closed_count = get_count(r, 4);
  view->closed = get_array(r, view->closed_count, sizeof *view->closed, &view->closed_capacity);
  if (!view->closed)
    view->closed_count = 0;
  for (size_t i = 0; i < view->closed_count; i++)
    view->closed[i] = get_u32(r);
  view->last_close_index = get_u64(r);
  view->erased = get_audiences(r, &view->erased_count, &view->erased_capacity);
  view->unread = get_audiences(r, &view->unread_count, &view->unread_capacity);
}

static ledger_offset_period get_period(reader *r)
{
  ledger_offset_period period;
  period.year = (int)get_u32(r);
  period.month = (int)get_u32(r);
  return period;
}

static void get_window(reader *r, ledger_offset_window *window)
{
  window->opened = get_u8(r) != 0;
  window->start = get_period(r);
}

static close_view_state *get_states(reader *r, size_t *count)
{
  size_t capacity = 0;
  *count = get_count(r, 8 + 1 + 8 + 3 * 9 + 16);
  close_view_state *states = get_array(r, *count, sizeof *states, &capacity);
  for (size_t i = 0; states && i < *count; i++) {
    ledger_offset_state *state = &states[i].state;
    states[i].statement = get_u64(r);
    state->has_month = get_u8(r) != 0;
    state->last = get_period(r);
    get_window(r, &state->n_window);
    get_window(r, &state->r_window);
    get_window(r, &state->a34_window);
    state->k_ytd_cents = get_i64(r);
    state->loss_carried_cents = get_i64(r);
  }
  if (!states)
    *count = 0;
  return states;
}

/* Reads the whole file, refusing one that is not a regular file of ours
 * with mode 0600 or stricter (it holds members' names).  *status: its. */
static coop_err read_file(const char *path, uint8_t **bytes, size_t *count, struct stat *status)
{
  *bytes = NULL;
  *count = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return errno == ENOENT ? COOP_E_NOT_FOUND : COOP_E_IO;
  coop_err err = fstat(fd, status) ? COOP_E_IO : COOP_OK;
  if (!err && (!S_ISREG(status->st_mode) || (status->st_mode & 077) ||
               status->st_uid != geteuid()))
    err = COOP_E_PERMISSIONS;
  if (!err && ((uint64_t)status->st_size > CLOSE_VIEW_FILE_BYTES_MAX ||
               (size_t)status->st_size < HEAD_BYTES + TAG_BYTES))
    err = COOP_E_DECODE;
  if (!err && !(*bytes = coop_malloc((size_t)status->st_size)))
    err = COOP_E_NOMEM;
  size_t done = 0;
  while (!err && done < (size_t)status->st_size) {
    ssize_t got = read(fd, *bytes + done, (size_t)status->st_size - done);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      err = got == 0 ? COOP_E_DECODE : COOP_E_IO; /* shorter than it said */
    else
      done += (size_t)got;
  }
  close(fd);
  if (err) {
    coop_free(*bytes);
    *bytes = NULL;
    return err;
  }
  *count = done;
  return COOP_OK;
}

static const char *load_why(coop_err err)
{
  switch (err) {
  case COOP_E_NOT_FOUND: return "no file";
  case COOP_E_PERMISSIONS: return "unsafe permissions or owner";
  case COOP_E_VERSION: return "another format version";
  case COOP_E_TAMPERED: return "its tag does not verify (edited, or another node's)";
  case COOP_E_DECODE: return "truncated or malformed";
  case COOP_E_NOMEM: return "out of memory";
  default: return "cannot be read";
  }
}

/* Checks the file's head: ours, this version, this node's log. */
static coop_err check_head(node *self, const uint8_t *bytes)
{
  if (memcmp(bytes, MAGIC, MAGIC_BYTES))
    return COOP_E_DECODE;
  if (bytes[MAGIC_BYTES] != CLOSE_VIEW_FILE_VERSION)
    return COOP_E_VERSION;
  if (memcmp(bytes + MAGIC_BYTES + 1, self->identity.public_key, LEDGER_LOG_ID_BYTES))
    return COOP_E_TAMPERED; /* another node's (its tags would not verify either) */
  return COOP_OK;
}

/* Where one segment's parts are in the file: its body (after the length),
 * its records, statements and whole part, and how many of each. */
typedef struct segment {
  size_t at, records, statements, whole;
  uint32_t bytes, whole_bytes;
  size_t record_count, statement_count;
} segment;

typedef struct segments {
  segment *items;
  size_t count, capacity;
} segments;

static uint32_t le32(const uint8_t *bytes)
{
  return (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 |
         (uint32_t)bytes[3] << 24;
}

static coop_err add_segment(segments *found, size_t at, uint32_t bytes)
{
  coop_err err = coop_grow((void **)&found->items, &found->capacity, found->count,
                           sizeof *found->items);
  if (!err)
    found->items[found->count++] = (segment){.at = at, .bytes = bytes};
  return err;
}

/* The segments whose tags verify, from the first up to the first that
 * does not (a file cut inside a segment, a byte changed in one): the file
 * up to there is an older view, still good, and what follows is dropped
 * (image->dropped_bytes, dropped_why).  None: COOP_E_TAMPERED (a bad tag)
 * or COOP_E_DECODE (cut short).  Sets the mark's bytes, tag, segments. */
static coop_err walk_segments(node *self, const uint8_t *bytes, size_t count, segments *found,
                              close_view_image *image)
{
  uint8_t chain[TAG_BYTES], tag[TAG_BYTES];
  coop_err err = chain_tag(self, NULL, bytes, HEAD_BYTES, chain), stopped = COOP_OK;
  size_t at = HEAD_BYTES;
  while (!err && at < count) {
    size_t left = count - at;
    uint32_t body = left >= 4 ? le32(bytes + at) : 0;
    if (left < 4 + TAG_BYTES || left - 4 - TAG_BYTES < body) {
      stopped = COOP_E_DECODE;
      break;
    }
    err = chain_tag(self, chain, bytes + at, 4 + (size_t)body, tag);
    if (!err && sodium_memcmp(tag, bytes + at + 4 + body, TAG_BYTES)) {
      stopped = COOP_E_TAMPERED;
      break;
    }
    if (!err)
      err = add_segment(found, at + 4, body);
    if (!err)
      memcpy(chain, tag, TAG_BYTES);
    at += 4 + (size_t)body + TAG_BYTES;
  }
  image->dropped_bytes = count - at;
  image->dropped_why = stopped ? load_why(stopped) : NULL;
  image->mark.bytes = at;
  image->mark.segments = (uint32_t)found->count;
  memcpy(image->mark.tag, chain, TAG_BYTES);
  if (!err && !found->count)
    err = stopped ? stopped : COOP_E_DECODE;
  return err;
}

static void skip(reader *r, size_t count)
{
  if (!r->error && r->length - r->position < count)
    r->error = COOP_E_DECODE;
  if (!r->error)
    r->position += count;
}

/* A segment's size, last leaf (into the image: the last segment's stay)
 * and where its parts are; its records and statements must continue those
 * of the segments before it. */
static coop_err segment_parts(const uint8_t *bytes, segment *s, size_t records_before,
                              size_t statements_before, close_view_image *image)
{
  reader r;
  ledger_reader_init(&r, bytes + s->at, s->bytes);
  image->size = get_u64(&r);
  get(&r, image->last_leaf, LEDGER_HASH_BYTES);
  if (get_u32(&r) != records_before && !r.error)
    r.error = COOP_E_DECODE;
  s->record_count = get_count(&r, RECORD_BYTES);
  s->records = s->at + r.position;
  skip(&r, s->record_count * RECORD_BYTES);
  if (get_u32(&r) != statements_before && !r.error)
    r.error = COOP_E_DECODE;
  s->statement_count = get_count(&r, STATEMENT_BYTES);
  s->statements = s->at + r.position;
  skip(&r, s->statement_count * STATEMENT_BYTES);
  s->whole_bytes = (uint32_t)get_count(&r, 1);
  s->whole = s->at + r.position;
  skip(&r, s->whole_bytes);
  return r.error ? r.error : ledger_reader_finish(&r);
}

static void get_statement(reader *r, log_statement *item)
{
  get(r, item->audience, LEDGER_AUDIENCE_ID_BYTES);
  item->index = get_u64(r);
  get(r, item->leaf, LEDGER_HASH_BYTES);
  item->period = get_u32(r);
}

/* The view's records and statements: every segment's, in order, into
 * arrays allocated once. */
static coop_err get_lists(const uint8_t *bytes, const segments *found, log_view *view)
{
  size_t records = 0, statements = 0;
  for (size_t i = 0; i < found->count; i++) {
    records += found->items[i].record_count;
    statements += found->items[i].statement_count;
  }
  view->records = records ? coop_calloc(records, sizeof *view->records) : NULL;
  view->statements = statements ? coop_calloc(statements, sizeof *view->statements) : NULL;
  if ((records && !view->records) || (statements && !view->statements))
    return COOP_E_NOMEM;
  view->record_capacity = records;
  view->statement_capacity = statements;
  for (size_t i = 0; i < found->count; i++) {
    const segment *s = &found->items[i];
    reader r;
    ledger_reader_init(&r, bytes + s->records, s->record_count * RECORD_BYTES);
    for (size_t k = 0; k < s->record_count; k++)
      get_record(&r, &view->records[view->record_count++]);
    ledger_reader_init(&r, bytes + s->statements, s->statement_count * STATEMENT_BYTES);
    for (size_t k = 0; k < s->statement_count; k++)
      get_statement(&r, &view->statements[view->statement_count++]);
  }
  return COOP_OK;
}

/* The sealed audience keys (put_keys), opened into secure memory: *keys
 * (sodium_free it), *count of them.  COOP_E_TAMPERED when they do not
 * open (the tag held, so never for a file this node wrote). */
static uint8_t *get_keys(reader *r, node *self, size_t *count)
{
  *count = get_count(r, KEY_ITEM_BYTES);
  uint8_t nonce[crypto_secretbox_NONCEBYTES], box_key[crypto_secretbox_KEYBYTES];
  get(r, nonce, sizeof nonce);
  size_t sealed_bytes = *count * KEY_ITEM_BYTES + crypto_secretbox_MACBYTES;
  if (!r->error && r->length - r->position < sealed_bytes)
    r->error = COOP_E_DECODE;
  uint8_t *keys = r->error ? NULL : sodium_malloc(*count * KEY_ITEM_BYTES + 1);
  if (!r->error && !keys)
    r->error = COOP_E_NOMEM;
  if (!r->error)
    r->error = derived_key(self, SUBKEY_KEYS, box_key);
  if (!r->error && crypto_secretbox_open_easy(keys, r->data + r->position, sealed_bytes, nonce,
                                              box_key))
    r->error = COOP_E_TAMPERED;
  sodium_memzero(box_key, sizeof box_key);
  if (!r->error)
    r->position += sealed_bytes;
  if (r->error && keys) {
    sodium_free(keys);
    keys = NULL;
  }
  return keys;
}

/* Takes the keys into the node's ring (own audiences). */
static coop_err keys_to_ring(node *self, const uint8_t *keys, size_t count)
{
  node_key_ring *ring = node_keys(self); /* sets the ring's node: a handle may be a copy */
  coop_err err = node_key_ring_reserve(ring, count);
  for (size_t i = 0; !err && i < count; i++)
    err = node_key_ring_add(ring, keys + i * KEY_ITEM_BYTES,
                            keys + i * KEY_ITEM_BYTES + LEDGER_AUDIENCE_ID_BYTES);
  return err;
}

/* The view from the segments: every one's records and statements, the
 * last one's whole part (members, closed months, states, keys). */
static coop_err parse(node *self, const uint8_t *bytes, segments *found, close_view_image *image)
{
  memcpy(image->view->log_id, self->identity.public_key, LEDGER_LOG_ID_BYTES);
  coop_err err = COOP_OK;
  size_t records = 0, statements = 0;
  for (size_t i = 0; !err && i < found->count; i++) {
    err = segment_parts(bytes, &found->items[i], records, statements, image);
    records += found->items[i].record_count;
    statements += found->items[i].statement_count;
  }
  if (!err)
    err = get_lists(bytes, found, image->view);
  if (err)
    return err;
  const segment *last = &found->items[found->count - 1];
  reader r;
  ledger_reader_init(&r, bytes + last->whole, last->whole_bytes);
  get_view_whole(&r, image->view);
  image->states = get_states(&r, &image->state_count);
  size_t key_count = 0;
  uint8_t *keys = get_keys(&r, self, &key_count);
  if (!r.error)
    r.error = ledger_reader_finish(&r);
  if (!r.error && (!image->size || image->state_count > image->view->member_count))
    r.error = COOP_E_DECODE;
  /* The audience table and each member's positions are not in the file. */
  if (!r.error)
    r.error = log_view_reindex(image->view);
  /* Last, once the rest is known good (the keys are right in any case:
   * they opened under this node's key). */
  if (!r.error)
    r.error = keys_to_ring(self, keys, key_count);
  if (keys)
    sodium_free(keys);
  return r.error;
}

/* Marks the file as read: the next save may append to it
 * (open_for_append checks it is still this file, this long). */
static void mark_read(close_view_image *image, const struct stat *status)
{
  close_view_mark *mark = &image->mark;
  mark->valid = true;
  mark->device = (uint64_t)status->st_dev;
  mark->inode = (uint64_t)status->st_ino;
  mark->records = image->view->record_count;
  mark->statements = image->view->statement_count;
}

coop_err close_view_file_load(node *self, close_view_image *image, const char **why)
{
  image->states = NULL;
  image->state_count = 0;
  image->mark = (close_view_mark){.valid = false};
  image->dropped_bytes = 0;
  image->dropped_why = NULL;
  char *path = node_path(self->home, NODE_CLOSE_VIEW_FILE);
  uint8_t *bytes = NULL;
  size_t count = 0;
  struct stat status;
  segments found = {0};
  coop_err err = path ? read_file(path, &bytes, &count, &status) : COOP_E_NOMEM;
  if (!err)
    err = check_head(self, bytes);
  if (!err)
    err = walk_segments(self, bytes, count, &found, image);
  if (!err)
    err = parse(self, bytes, &found, image);
  if (!err)
    mark_read(image, &status);
  coop_free(found.items);
  if (bytes) {
    sodium_memzero(bytes, count);
    coop_free(bytes);
  }
  coop_free(path);
  if (err) {
    log_view_free(image->view);
    coop_free(image->states);
    image->states = NULL;
    image->state_count = 0;
    image->mark.valid = false;
  }
  *why = load_why(err);
  return err;
}

void close_view_file_remove(node *self)
{
  char *path = node_path(self->home, NODE_CLOSE_VIEW_FILE);
  if (path)
    (void)unlink(path);
  coop_free(path);
}

void node_close_view_forget(node *self)
{
  /* Not node_close_view_free: that writes an unsaved view to the file. */
  books_close_view_free(self->close_view);
  self->close_view = NULL;
  close_view_file_remove(self);
}
