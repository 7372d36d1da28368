/* Backup and restore of a node's database: node/backup.h. */
#include "node/backup.h"

#include "ledger/base/alloc.h"
#include "node/books_int.h"
#include "node/close_view_file.h"

coop_err node_backup(node *self, const char *path, ledger_store_backup_info *info,
                     char message[NODE_MESSAGE_BYTES])
{
  coop_err err = ledger_store_backup(self->store, path, self->identity.public_key,
                                     node_now_ms(), info);
  if (err == COOP_E_EXISTS)
    return books_say(message, err, "backup file '%s' already exists: choose a new name", path);
  if (err == COOP_E_IO)
    return books_say(message, err, "cannot create backup file '%s'", path);
  if (err)
    return books_say(message, err, "backup to '%s' failed: %s", path, coop_err_message(err));
  return COOP_OK;
}

/* The erasure entries of the node's own log in the database about to be
 * replaced (all of them: the backup's size is known only once it is in).
 * *indexes is NULL when there are none. */
static coop_err own_erasures(node *self, uint64_t **indexes, size_t *count)
{
  *indexes = NULL;
  *count = 0;
  uint64_t total = 0;
  coop_err err = ledger_store_erasure_entries(self->store, self->identity.public_key, 0, NULL, 0,
                                              count, &total);
  if (err || !total)
    return err;
  if (!(*indexes = coop_calloc((size_t)total, sizeof **indexes)))
    return COOP_E_NOMEM;
  return ledger_store_erasure_entries(self->store, self->identity.public_key, 0, *indexes,
                                      (size_t)total, count, &total);
}

/* Which of the replaced database's erasures the backup does not hold: its
 * own log ends at `size`.  Kept in `lost` for the operator's warning. */
static void erasures_after(const uint64_t *indexes, size_t count, uint64_t size,
                           node_restore_lost *lost)
{
  lost->count = 0;
  lost->shown = 0;
  for (size_t i = 0; i < count; i++) {
    if (indexes[i] < size)
      continue;
    if (lost->shown < NODE_RESTORE_ERASURES_MAX)
      lost->indexes[lost->shown++] = indexes[i];
    lost->count++;
  }
}

coop_err node_restore(node *self, const char *path, ledger_store_backup_info *info,
                      node_restore_lost *lost, char message[NODE_MESSAGE_BYTES])
{
  /* A member erased after the backup was made is back in the restored
   * database until the erasure entry returns from the peers: the operator
   * must be told, so that nobody confirms the restore before that.  A
   * damaged database is what a restore is for: it goes ahead unchecked. */
  uint64_t *indexes = NULL;
  size_t count = 0;
  lost->unchecked = own_erasures(self, &indexes, &count);
  coop_err err = ledger_store_restore(self->store, path, self->identity.public_key, info);
  if (!err)
    erasures_after(indexes, count, info->log_size, lost);
  if (!err)
    close_view_file_remove(self); /* the close's view of the log before it */
  coop_free(indexes);
  switch (err) {
  case COOP_OK:
    return COOP_OK;
  case COOP_E_NOT_FOUND:
    return books_say(message, err, "backup file '%s' not found", path);
  case COOP_E_IO:
    return books_say(message, err, "cannot read backup file '%s'", path);
  case COOP_E_BAD_INPUT:
  case COOP_E_TAMPERED:
    return books_say(message, err, "'%s' is not a backup made by 'coop backup'; nothing changed",
               path);
  case COOP_E_EXISTS_DIFFERENT:
    return books_say(message, err, "'%s' is the backup of another node; nothing changed", path);
  case COOP_E_SCHEMA:
    return books_say(message, err,
                     "'%s' was made by a newer coop (a newer database schema): restore it with "
                     "that version; nothing changed",
                     path);
  default:
    return books_say(message, err, "restore from '%s' failed, nothing changed: %s", path,
               coop_err_message(err));
  }
}

coop_err node_restore_status(node *self, bool *restored, ledger_store_backup_info *info,
                             char message[NODE_MESSAGE_BYTES])
{
  coop_err err = ledger_store_restored(self->store, restored, info);
  if (err)
    return books_say(message, err, "cannot read the database: %s", coop_err_message(err));
  return COOP_OK;
}

coop_err node_restore_confirm(node *self, bool *was_restored, char message[NODE_MESSAGE_BYTES])
{
  coop_err err = node_restore_status(self, was_restored, NULL, message);
  if (!err && *was_restored && (err = ledger_store_restore_clear(self->store)))
    return books_say(message, err, "cannot clear the restore mark: %s", coop_err_message(err));
  return err;
}

const uint8_t *node_import_refused_log(node *self)
{
  bool restored = false;
  if (ledger_store_restored(self->store, &restored, NULL) != COOP_OK)
    return self->identity.public_key;
  return restored ? NULL : self->identity.public_key;
}
