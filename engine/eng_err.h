/*
 * eng_err: the engine's name for base_err (base/base_err.h), the one error
 * convention of every layer: a result code (ENG_OK on success) and a
 * one-line message in a caller-owned record.  The names below are base's,
 * kept while the layers above move to base_err.
 */
#ifndef ENG_ERR_H
#define ENG_ERR_H

#include "base/base_err.h"

enum {
    ENG_OK = BASE_OK,
    ENG_EUSAGE = BASE_EUSAGE,
    ENG_EINPUT = BASE_EINPUT,
    ENG_EIO = BASE_EIO,
};

typedef base_err eng_err;

#define eng_fail base_fail
#define eng_err_clear base_err_clear

#endif
