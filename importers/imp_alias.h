/*
 * imp_alias: the built-in header aliases of tables (Chinese and English),
 * kept as a data table in imp_alias.c, and the normal form headers are
 * compared in.  A header is matched ignoring ASCII case, spaces, '_', '-',
 * '.', ':', '*', '#', and a part in brackets, which is cut off as a unit
 * ("金额（万元）" is "金额" with 万元).  Nothing here allocates.
 */
#ifndef IMP_ALIAS_H
#define IMP_ALIAS_H

/* The normal form of a header: trimmed, ASCII lower case, without ' ' '_'
 * '-' '.' ':' '*' '#' and the full-width colon; a bracketed part ("金额
 * （万元）", "Amount (USD)") is cut off.  OUT: key, bracket (the bracketed
 * text, or ""). */
void imp_alias_key(const char *header, char key[256], char bracket[64]);

/* The target of a normalised header: a field name of the record
 * (indicators 0) or of an indicator (indicators 1), "period", or
 * "extra:KEY"; NULL when no alias matches.  The string is static. */
const char *imp_alias_find(int indicators, const char *key);

#endif
