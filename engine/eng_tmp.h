/*
 * eng_tmp: temporary files beside an output, and the safe removal of the
 * ones a killed vernier left behind.
 *
 * An output PATH is written to "PATH.tmp.XXXXXX" in the same folder and
 * renamed over PATH when whole.  While its writer lives, the temporary file
 * is locked (flock, held by the descriptor eng_tmp_create returns); a lock
 * that is free means the writer is gone (killed, crashed), so the file is
 * stale.  eng_tmp_clean removes the stale temporary files of PATH and of the
 * set of files written beside it ("STEM-PART.EXT", report --split-by), and
 * nothing else: the name must match and the lock must be free.
 *
 * A set of outputs written into one folder (report --split-by) is put in
 * place by eng_tmp_commit_set through a journal, "PATH.set.tmp.XXXXXX",
 * locked like a temporary file: it lists the set's temporary and final
 * names and is complete and synced before the first rename.  A writer
 * killed between two renames leaves the journal with its lock free;
 * eng_tmp_clean then finishes the set (every temporary file named in a
 * complete journal is already whole and synced) before removing anything,
 * so the set ends up whole, never part new and part old.  An incomplete
 * journal (killed while writing it, before any rename) is only removed.
 */
#ifndef ENG_TMP_H
#define ENG_TMP_H

#include <stddef.h>

#include "engine/eng_err.h"

/* Creates "PATH.tmp.XXXXXX" beside path, mode 0666 less the umask, empty and
 * locked.  OUT: *tmp (malloc'd name, caller frees), *fd (open for reading
 * and writing; the lock lasts until it is closed).  Returns ENG_OK, or
 * ENG_EIO "PATH: cannot create: REASON". */
int eng_tmp_create(const char *path, char **tmp, int *fd, eng_err *err);

/* Removes the stale temporary files of path: "STEM*EXT.tmp.XXXXXX" in path's
 * folder, where STEM.EXT is path's base name, whose lock is free.  Returns
 * how many were removed (errors are ignored: cleaning is best effort). */
int eng_tmp_clean(const char *path);

/* Puts a set of temporary files in place: tmp[i] (from eng_tmp_create,
 * whole and synced, locked by fd[i]) is renamed to final[i], all in path's
 * folder, under a journal beside path (see above).  On a failure the
 * files already placed and the temporary files are removed: the set is
 * whole or absent.  Closes every fd[i] either way; the names stay the
 * caller's.  Returns ENG_OK, or ENG_EIO "FINAL: cannot move the workbook
 * into place: REASON" (or "PATH: cannot write the set's journal: ..."). */
int eng_tmp_commit_set(const char *path, char *const *tmp, char *const *final, const int *fd,
                       size_t n, eng_err *err);

/* For tests: when set, called after the journal is synced (placed == 0)
 * and after each rename with how many files are in place. */
extern void (*eng_tmp_set_hook)(size_t placed);

#endif
