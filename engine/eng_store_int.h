/*
 * eng_store_int: what the files of the store module share (eng_store.c and
 * eng_store_reg.c) and nothing else includes: the SQLite handle.  It is the
 * one header besides none where sqlite3 appears, because it is the store's
 * own, not a public one.
 */
#ifndef ENG_STORE_INT_H
#define ENG_STORE_INT_H

#include <sqlite3.h>

#include "engine/eng_store.h"

/* The open connection (borrowed). */
sqlite3 *eng_store_db(eng_store *st);
/* The store's path, for messages (borrowed). */
const char *eng_store_path(const eng_store *st);
/* Now as ISO 8601 UTC, or $VERNIER_NOW (golden tests pin the clock). */
void eng_store_now(char buf[32]);
/* The store's SQLite error as ENG_EIO naming the store and `what`, or the
 * busy message when another writer holds the store. */
int eng_store_fail(eng_store *st, eng_err *err, const char *what);
/* Prepares sql into *q (OUT; finalised by the caller); eng_store_fail on error. */
int eng_store_prep(eng_store *st, sqlite3_stmt **q, const char *sql, eng_err *err);
/* Binds s as text, or NULL when s is NULL. */
void eng_store_bind_text(sqlite3_stmt *q, int i, const char *s);

#endif
