/*
 * eng_placeholder: the one list of placeholder texts -- what agencies write
 * in a cell when they have no value (N/A, Not Available, Title missing, TBD,
 * none, 无, 暂无, 略, —, ...).  A placeholder is an empty value: it is never
 * stored as text, scored or compared.  The importers read cells through it
 * (imp_value_is_placeholder) and the duplicate stage asks it before
 * comparing a text; extending the list here extends both.
 *
 * Matching: the whole text, trimmed of white space (ASCII, U+00A0, U+3000)
 * and of trailing '.', ignoring ASCII case; full-width ASCII forms count as
 * ASCII ("Ｎ／Ａ" is "N/A").  Nothing here allocates or keeps state.
 */
#ifndef ENG_PLACEHOLDER_H
#define ENG_PLACEHOLDER_H

#include <stddef.h>

/* The placeholder texts, lower case, NULL-terminated (for listing them). */
extern const char *const eng_placeholders[];

/* The bytes a placeholder may start with (a quick test before the list). */
extern const char eng_placeholder_firsts[];

/* 1 when s (len bytes; s need not be NUL-terminated) is empty, blank or a
 * placeholder, else 0. */
int eng_placeholder_is(const char *s, size_t len);

#endif
