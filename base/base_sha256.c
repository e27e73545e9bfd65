/*
 * base_sha256.c: SHA-256 as specified by FIPS 180-4 §6.2, byte-oriented and
 * portable (no assumption on the host's endianness), with the x86 SHA
 * extensions used for whole blocks when the processor has them
 * (VERNIER_NO_SHA_NI=1 forces the portable rounds, for tests).
 */
#include "base/base_sha256.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube
 * roots of the first 64 primes. */
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

/* One 512-bit block (FIPS 180-4 §6.2.2). */
static void compress(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64];
    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
               (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int t = 0; t < 64; t++) {
        uint32_t t1 =
            k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += k;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <stdatomic.h>
#include <immintrin.h>

/* The same blocks with the SHA extensions of x86 (SHA-NI), several times
 * faster than the portable rounds; used when the processor has them.  The
 * state is kept as the instructions want it: ABEF and CDGH. */
__attribute__((target("sha,sse4.1,ssse3"))) static void
compress_ni(uint32_t h[8], const unsigned char *p, size_t nblocks)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1); /* CDAB */
    __m128i st1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B); /* EFGH */
    __m128i st0 = _mm_alignr_epi8(tmp, st1, 8);                                     /* ABEF */
    st1 = _mm_blend_epi16(st1, tmp, 0xF0);                                          /* CDGH */
    for (; nblocks > 0; nblocks--, p += 64) {
        __m128i abef = st0, cdgh = st1, m[4];
        for (int g = 0; g < 16; g++) {
            if (g < 4)
                m[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), bswap);
            else /* W[t] from W[t-16..t-1], four at a time */
                m[g & 3] = _mm_sha256msg2_epu32(
                    _mm_add_epi32(_mm_sha256msg1_epu32(m[g & 3], m[(g - 3) & 3]),
                                  _mm_alignr_epi8(m[(g - 1) & 3], m[(g - 2) & 3], 4)),
                    m[(g - 1) & 3]);
            __m128i msg = _mm_add_epi32(m[g & 3], _mm_loadu_si128((const __m128i *)&K[4 * g]));
            st1 = _mm_sha256rnds2_epu32(st1, st0, msg);
            st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(msg, 0x0E));
        }
        st0 = _mm_add_epi32(st0, abef);
        st1 = _mm_add_epi32(st1, cdgh);
    }
    tmp = _mm_shuffle_epi32(st0, 0x1B);    /* FEBA */
    st1 = _mm_shuffle_epi32(st1, 0xB1);    /* DCHG */
    st0 = _mm_blend_epi16(tmp, st1, 0xF0); /* DCBA */
    st1 = _mm_alignr_epi8(st1, tmp, 8);    /* HGFE */
    _mm_storeu_si128((__m128i *)&h[0], st0);
    _mm_storeu_si128((__m128i *)&h[4], st1);
}

static int have_sha_ni(void)
{
    /* threads may race to fill it in: an atomic, so that the race is benign */
    static _Atomic int known = -1;
    int k = atomic_load_explicit(&known, memory_order_relaxed);
    if (k < 0) {
        unsigned a, b, c, d;
        int sha = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
        int sse41 = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 19)) && (c & (1u << 9));
        k = sha && sse41 && !getenv("VERNIER_NO_SHA_NI");
        atomic_store_explicit(&known, k, memory_order_relaxed);
    }
    return k;
}

static void compress_blocks(uint32_t h[8], const unsigned char *p, size_t nblocks)
{
    if (have_sha_ni()) {
        compress_ni(h, p, nblocks);
        return;
    }
    for (; nblocks > 0; nblocks--, p += 64)
        compress(h, p);
}
#else
static void compress_blocks(uint32_t h[8], const unsigned char *p, size_t nblocks)
{
    for (; nblocks > 0; nblocks--, p += 64)
        compress(h, p);
}
#endif

void base_sha256_init(base_sha256_ctx *ctx)
{
    /* §5.3.3: the first 32 bits of the fractional parts of the square roots
     * of the first 8 primes. */
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(ctx->h, h0, sizeof h0);
    ctx->total = 0;
    ctx->nbuf = 0;
}

void base_sha256_update(base_sha256_ctx *ctx, const void *data, size_t len)
{
    const unsigned char *p = data;
    ctx->total += len;
    if (ctx->nbuf > 0) {
        size_t take = 64 - ctx->nbuf < len ? 64 - ctx->nbuf : len;
        memcpy(ctx->buf + ctx->nbuf, p, take);
        ctx->nbuf += take;
        p += take;
        len -= take;
        if (ctx->nbuf < 64)
            return;
        compress_blocks(ctx->h, ctx->buf, 1);
        ctx->nbuf = 0;
    }
    compress_blocks(ctx->h, p, len / 64);
    p += len / 64 * 64;
    len %= 64;
    if (len > 0) {
        memcpy(ctx->buf, p, len);
        ctx->nbuf = len;
    }
}

void base_sha256_final(base_sha256_ctx *ctx, unsigned char out[32])
{
    /* §5.1.1: a 1 bit, zeros up to 56 mod 64, then the bit length (big endian). */
    uint64_t bits = ctx->total * 8;
    unsigned char pad[72];
    size_t npad = (ctx->nbuf < 56 ? 56 : 120) - ctx->nbuf;
    memset(pad, 0, sizeof pad);
    pad[0] = 0x80;
    for (int i = 0; i < 8; i++)
        pad[npad + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
    base_sha256_update(ctx, pad, npad + 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (unsigned char)(ctx->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(ctx->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(ctx->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)ctx->h[i];
    }
}

void base_sha256_final_hex(base_sha256_ctx *ctx, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[32];
    base_sha256_final(ctx, raw);
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[64] = '\0';
}

void base_sha256_hex(const void *data, size_t len, char out[65])
{
    base_sha256_ctx ctx;
    base_sha256_init(&ctx);
    base_sha256_update(&ctx, data, len);
    base_sha256_final_hex(&ctx, out);
}

int base_sha256_file(const char *path, char out[65], base_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return base_fail(err, BASE_EIO, "%s: cannot open: %s", path, strerror(errno));
    unsigned char *buf = malloc(1 << 16);
    if (!buf) {
        fclose(f);
        return base_fail(err, BASE_EIO, "%s: out of memory", path);
    }
    base_sha256_ctx ctx;
    base_sha256_init(&ctx);
    size_t n;
    while ((n = fread(buf, 1, 1 << 16, f)) > 0)
        base_sha256_update(&ctx, buf, n);
    int bad = ferror(f), why = errno;
    free(buf);
    fclose(f);
    if (bad)
        return base_fail(err, BASE_EIO, "%s: cannot read: %s", path, strerror(why));
    base_sha256_final_hex(&ctx, out);
    return BASE_OK;
}
