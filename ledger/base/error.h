/* The project's one error enum.
 *
 * Values are stable: they appear in exit paths, logs and (later) on the wire,
 * so a value is never renumbered or reused.  Add new codes at the end of the
 * table with the next free number.  Names and messages come from the same
 * X-macro table so they cannot drift apart (curl's CURLcode, libuv's
 * UV_ERRNO_MAP). */
#ifndef COOP_LEDGER_ERROR_H
#define COOP_LEDGER_ERROR_H

#define COOP_MUST_USE __attribute__((warn_unused_result))

/*        name                 value  message */
#define COOP_ERROR_TABLE(X)                                                   \
  X(COOP_OK,                      0, "success")                              \
  X(COOP_E_NOMEM,                 1, "out of memory")                        \
  X(COOP_E_IO,                    2, "input/output error")                   \
  X(COOP_E_USAGE,                 3, "invalid usage")                        \
  X(COOP_E_LIMIT,                 4, "size limit exceeded")                  \
  X(COOP_E_DECODE,                5, "malformed encoding")                   \
  X(COOP_E_VERSION,               6, "unsupported format version")           \
  X(COOP_E_TRAILING,              7, "trailing bytes after encoding")        \
  X(COOP_E_BAD_SIGNATURE,         8, "bad signature")                        \
  X(COOP_E_BAD_PROOF,             9, "proof does not verify")                \
  X(COOP_E_FORK,                 10, "fork: conflicting signed checkpoints") \
  X(COOP_E_TAMPERED,             11, "stored data does not verify")          \
  X(COOP_E_NOT_FOUND,            12, "not found")                            \
  X(COOP_E_EXISTS,               13, "already exists")                       \
  X(COOP_E_PERMISSIONS,          14, "unsafe file permissions")              \
  X(COOP_E_DB,                   15, "database error")                       \
  X(COOP_E_SCHEMA,               16, "unsupported database schema")          \
  X(COOP_E_CRYPTO,               17, "cryptographic failure")                \
  X(COOP_E_NO_KEY,               18, "no key to open this payload")          \
  X(COOP_E_RANGE,                19, "value out of range")                   \
  X(COOP_E_CONFIG,               20, "invalid configuration")                \
  X(COOP_E_UNBALANCED,           21, "unbalanced transaction")               \
  X(COOP_E_UNKNOWN_ACCOUNT,      22, "unknown account")                      \
  X(COOP_E_PERIOD_CLOSED,        23, "period closed")                        \
  X(COOP_E_EXISTS_DIFFERENT,     24, "exists with different content")        \
  X(COOP_E_NO_RULE_SET,          25, "no rule set in force")                 \
  X(COOP_E_OVERFLOW,             26, "arithmetic overflow")                  \
  X(COOP_E_BAD_INPUT,            27, "invalid input")                       \
  X(COOP_E_BUSY,                 28, "another coop command is writing; try again") \
  X(COOP_E_DISK_FULL,            29, "the disk is full")                    \
  X(COOP_E_PAYLOAD_MISSING,      30, "entry payload is missing")            \
  X(COOP_E_BOOKS_MISMATCH,       31, "the books do not match the log")    \
  X(COOP_E_ERASED,               32, "the payload was erased")              \
  X(COOP_E_RESTORED,             33, "this database is a restored backup: run 'coop sync' with every peer first, or confirm with 'coop restore --confirm'")

typedef enum coop_err {
#define COOP_ERROR_ENUM(name, value, message) name = value,
  COOP_ERROR_TABLE(COOP_ERROR_ENUM)
#undef COOP_ERROR_ENUM
} coop_err;

/* Stable identifier, e.g. "COOP_E_FORK"; "COOP_E_UNKNOWN" for values not in
 * the table.  Never NULL. */
const char *coop_err_name(coop_err err);

/* Lower-case human message, e.g. "bad signature".  Never NULL. */
const char *coop_err_message(coop_err err);

#endif
