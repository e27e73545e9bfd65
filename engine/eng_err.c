/* eng_err: see eng_err.h. */
#include "engine/eng_err.h"

#include <stdarg.h>
#include <stdio.h>

int eng_fail(eng_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void eng_err_clear(eng_err *err)
{
    if (err) {
        err->code = ENG_OK;
        err->msg[0] = '\0';
    }
}
