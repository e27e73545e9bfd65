/*
 * imp_json: reads records from canonical JSON: a file holding one array of
 * record objects, or JSONL (one object a line, blank lines allowed).
 *
 * Records come one at a time with their provenance (file, line where the
 * object starts).  The file is streamed: memory holds one value (at most
 * 256 MiB; a longer one is an error naming its line) and a chunk, never the
 * whole file; each element is parsed on its own so that an error names its
 * line.  The encoding (UTF-8, no NUL byte) is checked in a first pass at open.
 */
#ifndef IMP_JSON_H
#define IMP_JSON_H

#include "engine/eng_err.h"
#include "engine/eng_record.h"
#include "importers/imp_rows.h"

typedef struct imp_json imp_json;

/* Opens path and checks its outer shape.  OUT: *out.  On failure returns
 * ENG_EINPUT ("FILE:LINE:COL: what is wrong") or ENG_EIO. */
int imp_json_open(const char *path, imp_json **out, eng_err *err);
/* Reads the next record into out (which the caller has initialised; it is
 * released and refilled).  Returns 1 for a record, 0 at the end, or
 * -ENG_EINPUT with "FILE:LINE: field 'x': what is wrong".  After an error the
 * reader can go on with the next record: every call consumes input or ends
 * the file.  In JSONL (or a sequence of objects) reading resumes at the next
 * line starting with '{' after the line where the bad record starts; in an
 * array a bad element is skipped, and a broken structure (an element that
 * does not close, a missing ',') ends the file.  A string holding the escape
 * \u0000 is refused (the text would be cut at the NUL). */
int imp_json_next(imp_json *j, eng_record *out, eng_err *err);
/* The line where the value read last (a record or a bad one) starts. */
long imp_json_line(const imp_json *j);
void imp_json_free(imp_json *j);

/* Opens path (an array of objects, or one object a line) as a table:
 * the first row is the header, every top-level key of any object in order
 * of first appearance; then one row per object, its line that of the
 * object, a key it lacks an empty cell.  Cells are strings as they are,
 * numbers in the shortest form that reads back the same, true/false,
 * null as empty, objects and arrays as compact JSON.  The file is framed
 * once at open (an object not closed, or not an object, or with a key twice,
 * is an error "FILE:LINE: ..."); the file is read twice (the keys, then
 * the rows), so memory holds one object, never the file.  OUT: *out (free with
 * imp_rows_free).  Returns ENG_OK, ENG_EINPUT or ENG_EIO. */
int imp_json_rows_open(const char *path, imp_rows **out, eng_err *err);

/* Peeks at the file's first object: *record_shaped is 1 when it has the
 * record's own key "id" (or the file cannot be framed: the record reader then
 * names the fault), 0 when it is an object of some other shape (a TechPort or
 * portal export: "source_id", "projectId", "text" ...), which is read as a
 * table through the header aliases and --map.  Returns ENG_OK or ENG_EIO. */
int imp_json_shape(const char *path, int *record_shaped, eng_err *err);

#endif
