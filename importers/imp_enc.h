/*
 * imp_enc: reads a text file as a stream of valid UTF-8, whatever encoding
 * the agency exported it in.
 *
 * Detection (imp_enc_open with no encoding named), in this order:
 *   1. a byte-order mark: UTF-8 (EF BB BF), UTF-32 LE/BE, UTF-16 LE/BE,
 *      GB18030 (84 31 95 33); the mark itself is never delivered;
 *   2. otherwise the whole file is scanned once (fixed buffer, a few ms per
 *      10 MB): a file that is valid UTF-8 throughout is UTF-8;
 *   3. a file that is not valid UTF-8 is GB18030 (which covers GBK and
 *      GB2312) or Big5 when its double-byte characters look like Chinese text
 *      in that encoding (most of them in the common-character rows of the
 *      code table), and no line of it is plainly UTF-8;
 *   4. anything else is an error: the first bad byte with its line and byte
 *      offset, and a hint to name the encoding with --encoding.
 * A file with lines in two encodings (UTF-8 rows and GBK rows, the classic
 * concatenated export) is an error naming the first line of the second
 * encoding.  A NUL byte in a file without a UTF-16/32 mark is an error
 * (binary data, or UTF-16 without its mark).  Nothing is ever replaced or
 * guessed silently: every byte delivered is valid UTF-8 decoded from a
 * well-formed sequence of the source encoding.
 *
 * UTF-8 is validated strictly (RFC 3629): overlong forms, surrogates
 * (CESU-8), code points above U+10FFFF, 5/6-byte forms, bytes C0, C1 and
 * F5-FF are errors.  Other encodings are converted with iconv, streaming.
 *
 * Memory is fixed: one input and one output buffer, whatever the file size.
 */
#ifndef IMP_ENC_H
#define IMP_ENC_H

#include <stddef.h>

#include "engine/eng_err.h"

typedef struct imp_enc imp_enc;

/*
 * Opens path for reading as UTF-8.  encoding: NULL or "" to detect, else any
 * name iconv knows ("UTF-8", "GB18030", "GBK", "BIG5", "UTF-16LE",
 * "windows-1252"...; GBK, GB2312 and CP936 are read as GB18030, their
 * superset); a byte-order mark that contradicts a named encoding is an
 * error, one that agrees is skipped; naming a legacy encoding for a file
 * that is valid UTF-8 with non-ASCII text is an error too (it would decode
 * to mojibake without a single bad byte).  OUT: *out.  Returns ENG_OK;
 * ENG_EINPUT with "FILE:LINE: what is wrong" (undecidable or mixed
 * encodings, NUL bytes, an unknown encoding name); ENG_EIO when the file
 * cannot be read.  *out is untouched on failure.
 */
int imp_enc_open(const char *path, const char *encoding, imp_enc **out, eng_err *err);

/*
 * Delivers the next chunk of UTF-8 text.  OUT: *text (valid until the next
 * call; a chunk may end inside a multi-byte character, the next one
 * continues it) and *len.  Returns 1 for a chunk, 0 at the end of the file,
 * or -ENG_EINPUT / -ENG_EIO.  Text before a bad byte is always delivered
 * first, so that the caller, which knows lines and rows, can name the place:
 * the message is "byte offset N: what is wrong" (the offset counts bytes of
 * the file, from 0), to be prefixed with "FILE:LINE: ".  After an error
 * every call returns the same error.
 */
int imp_enc_read(imp_enc *e, const char **text, size_t *len, eng_err *err);

/* The encoding in use, canonical ("UTF-8", "UTF-16LE", "GB18030", "BIG5",
 * or the name given); "+BOM" is appended when the file had a byte-order
 * mark, e.g. "UTF-8+BOM".  Borrowed, valid until imp_enc_free. */
const char *imp_enc_name(const imp_enc *e);

/* Closes the file and frees e; NULL is a no-op. */
void imp_enc_free(imp_enc *e);

#endif
