/* base_err: see base_err.h. */
#include "base/base_err.h"

#include <stdarg.h>
#include <stdio.h>

int base_fail(base_err *err, int code, const char *fmt, ...)
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

void base_err_clear(base_err *err)
{
    if (err) {
        err->code = BASE_OK;
        err->msg[0] = '\0';
    }
}
