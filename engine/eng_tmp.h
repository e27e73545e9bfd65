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
 */
#ifndef ENG_TMP_H
#define ENG_TMP_H

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

#endif
