#!/bin/sh
# The SHA-256 test vectors again with the portable rounds forced, so that
# both code paths are tested on a machine with the x86 SHA extensions.
BUILD=${BUILD:-build}
VERNIER_NO_SHA_NI=1 "$BUILD/tests/test_sha256" | sed 's/^test_sha256:/sha256 portable:/'
