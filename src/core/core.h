/*
 * core.h - the contract of src/core: growable buffers, the error convention,
 * logging, request arenas, secrets, time, identifiers and small parsers.
 *
 * Nothing here knows about HTTP, AWS or the store.  Everything is safe to
 * call from any libmicrohttpd thread; the only process-wide state is the log
 * level, set once at start-up.
 */
#ifndef CORE_CORE_H
#define CORE_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#define CC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- errors ------------------------------------------------------------ */

enum {
	CC_OK = 0,
	CC_ERROR = -1,     /* internal failure: InternalFailure / 500, logged */
	CC_ENOTFOUND = -2, /* the named thing does not exist */
	CC_EEXISTS = -3,   /* it exists already */
	CC_EINVAL = -4,    /* the input is malformed or out of range */
	CC_EDENIED = -5,   /* authorization refused it */
	CC_ELIMIT = -6,    /* a quota or size limit is exceeded */
	CC_ECONFLICT = -7, /* the state does not allow it (DeleteConflict, ...) */
	CC_EAUTH = -8,     /* authentication failed */
};

/*
 * Filled by a failing function, owned by its caller.  aws_code may be NULL:
 * aws/errors.c then picks the service's default code for `code`.  aws_code
 * always points at a string literal.
 */
struct err {
	int code;             /* one of CC_E* */
	int http;             /* 0: the default status for code */
	const char *aws_code; /* "NoSuchEntity", ... or NULL */
	char msg[512];        /* for the client; never holds a secret */
};

#define ERR_INIT {0, 0, NULL, {0}}

/* Sets *e and returns code, so that `return err_set(e, ...)` reads well. */
int err_set(struct err *e, int code, const char *aws_code, const char *fmt, ...)
	CC_PRINTF(4, 5);
int err_oom(struct err *e);
void err_clear(struct err *e);

/* ---- logging ----------------------------------------------------------- */

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
void log_warn(const char *fmt, ...) CC_PRINTF(1, 2); /* appends strerror(errno) */
void log_warnx(const char *fmt, ...) CC_PRINTF(1, 2);
void log_info(const char *fmt, ...) CC_PRINTF(1, 2);
void log_debug(const char *fmt, ...) CC_PRINTF(1, 2);

/* ---- buffers ------------------------------------------------------------ */

/*
 * A growable byte buffer.  ptr is NUL-terminated whenever it is non-NULL, but
 * len is authoritative.  max is a hard ceiling on len (0: SIZE_MAX/2).
 * Failure is sticky: after one failed append every later append is a no-op
 * and buf_failed() is true, so a chain of appends is checked once.
 */
struct buf {
	char *ptr;
	size_t len; /* bytes used, excluding the NUL */
	size_t cap; /* bytes allocated */
	size_t max; /* ceiling on len, 0 for none */
	int failed; /* sticky: an allocation or the ceiling failed */
};

#define BUF_INIT(m) {NULL, 0, 0, (m), 0}

int buf_grow(struct buf *b, size_t extra);
int buf_add(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
int buf_putc_slow(struct buf *b, char c);
/* the common case inline: parsers and encoders append byte by byte */
static inline int buf_putc(struct buf *b, char c)
{
	if (b->len + 1 < b->cap && !b->failed) {
		b->ptr[b->len++] = c;
		b->ptr[b->len] = '\0';
		return 0;
	}
	return buf_putc_slow(b, c);
}
int buf_printf(struct buf *b, const char *fmt, ...) CC_PRINTF(2, 3);
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
static inline bool buf_failed(const struct buf *b) { return b->failed != 0; }
/* ptr, never NULL: "" for an empty buffer */
const char *buf_cstr(const struct buf *b);
void buf_clear(struct buf *b);   /* len = 0, keeps the memory */
void buf_release(struct buf *b); /* frees the memory */
char *buf_detach(struct buf *b); /* caller frees; NULL if failed */

/* ---- size arithmetic ----------------------------------------------------- */

static inline int sz_add(size_t *out, size_t a, size_t b)
{
	return __builtin_add_overflow(a, b, out) ? CC_ELIMIT : 0;
}
static inline int sz_mul(size_t *out, size_t a, size_t b)
{
	return __builtin_mul_overflow(a, b, out) ? CC_ELIMIT : 0;
}

/* ---- arenas ------------------------------------------------------------- */

/* Memory that lives as long as one request, freed all at once. */
struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);  /* zeroed; NULL on OOM */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) CC_PRINTF(2, 3);

/* ---- secrets ------------------------------------------------------------ */

/* Bytes wiped with OPENSSL_cleanse when released. */
struct secret {
	unsigned char *ptr;
	size_t len;
};

int secret_set(struct secret *s, const void *data, size_t len);
void secret_release(struct secret *s);
/* constant time; false when lengths differ */
bool secret_eq(const void *a, size_t alen, const void *b, size_t blen);
void mem_wipe(void *p, size_t n);
/* free() that first wipes the whole block: for libraries that hold secrets
 * in memory we do not own (jansson parses session tokens and builds
 * CreateAccessKey answers) */
void free_wiped(void *p);

/* ---- random values and identifiers ---------------------------------------- */

int rand_bytes(void *out, size_t n);
/*
 * AWS-style unique ids: prefix followed by upper-case letters and digits,
 * e.g. id_new(out, sizeof out, "AIDA", 17).  out must hold strlen(prefix) +
 * n + 1 bytes.
 */
int id_new(char *out, size_t outsz, const char *prefix, size_t n);
/* n characters from [A-Za-z0-9+/] (an AWS secret access key is 40) */
int secret_text_new(char *out, size_t outsz, size_t n);
/* a request id in AWS's 8-4-4-4-12 lower-case hex form */
int uuid_new(char out[37]);

/* ---- encodings ---------------------------------------------------------- */

void hex_encode(char *out, const unsigned char *in, size_t n); /* out: 2n+1 */
int hex_decode(unsigned char *out, size_t outsz, const char *in, size_t n);
/* standard base64 with padding; returns the encoded length */
size_t b64_encode(char *out, size_t outsz, const unsigned char *in, size_t n);
/* accepts standard or url-safe alphabets, padding optional; -1 on bad input */
long b64_decode(unsigned char *out, size_t outsz, const char *in, size_t n);
/* strict base64url (RFC 4648 section 5, as JWS uses it): only [A-Za-z0-9_-],
 * no padding, unused trailing bits zero; -1 on bad input or a short out */
long b64url_decode(unsigned char *out, size_t outsz, const char *in, size_t n);
size_t b64url_encode(char *out, size_t outsz, const unsigned char *in, size_t n);
/* RFC 4648 Base32, upper case, no padding; returns the length */
size_t b32_encode(char *out, size_t outsz, const unsigned char *in, size_t n);
/* upper-case Base32 without padding (trailing bits dropped); -1 on bad input */
long b32_decode(unsigned char *out, size_t outsz, const char *in, size_t n);

/* ---- time --------------------------------------------------------------- */

int64_t time_now(void);            /* seconds since the epoch */
double time_now_hires(void);       /* seconds since the epoch, sub-second */
/* "2024-01-02T03:04:05Z"; out holds at least 21 bytes */
void time_iso8601(char *out, size_t outsz, int64_t t);
/* "20240102T030405Z"; out holds at least 17 bytes */
void time_amz(char *out, size_t outsz, int64_t t);
/* parses YYYYMMDDTHHMMSSZ */
int time_parse_amz(int64_t *out, const char *s, size_t n);
/* parses ISO 8601 / RFC 3339 date-times (and plain dates) as AWS accepts */
int time_parse_iso8601(int64_t *out, const char *s, size_t n);

/* ---- hashing (not for secrets) ------------------------------------------------ */

#define HASH_SEED 1469598103934665603ULL
/* FNV-1a over a C string, continuing from h (start with HASH_SEED) */
static inline uint64_t hash_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* ---- parsing ------------------------------------------------------------ */

/* In the spirit of strtonum: the whole span must be a decimal in range. */
int parse_u64(const char *s, size_t n, uint64_t min, uint64_t max, uint64_t *out);
int parse_i64(const char *s, size_t n, int64_t min, int64_t max, int64_t *out);

/* A read-only span of bytes. */
struct span {
	const char *p;
	size_t n;
};

static inline struct span span_of(const char *p, size_t n)
{
	struct span s = {p, n};
	return s;
}
struct span span_cstr(const char *s);
bool span_eq(struct span a, const char *s);
bool span_eq_nocase(struct span a, const char *s);
/* s is min..max characters, each an ASCII letter or digit or one of extra:
 * AWS's "[\w+=,.@-]"-style name patterns */
bool word_chars_ok(const char *s, size_t min, size_t max, const char *extra);
struct span span_trim(struct span s);

/* Decodes %XX and (when plus_space) '+'.  out holds n+1 bytes. */
int url_decode(char *out, size_t *outlen, const char *in, size_t n, bool plus_space);
/* RFC 3986 encoding of everything but unreserved (and '/' when keep_slash) */
int url_encode(struct buf *b, const char *in, size_t n, bool keep_slash);

/* true if s is valid UTF-8 without NUL bytes */
bool utf8_valid(const char *s, size_t n);
/* appends s, each byte that does not begin a valid UTF-8 character (or is
 * NUL) replaced by U+FFFD, so the text can become a JSON string */
void utf8_fix(struct buf *out, const char *s, size_t n);
/* code points in a NUL-terminated UTF-8 string (AWS counts lengths so) */
size_t utf8_chars(const char *s);

/* ---- listener addresses (net.c) -------------------------------------------- */

/* Splits "HOST:PORT" / "[V6]:PORT" ("localhost" is 127.0.0.1) into a socket address. */
int net_parse_addr(struct sockaddr_storage *out, socklen_t *outlen, const char *spec,
		   struct err *e);

/* ---- rate limits (ratelimit.c) --------------------------------------------- */

/* Token buckets by key: `rate` tokens a second up to `burst`. */
struct ratelimit;

struct ratelimit *ratelimit_new(size_t slots, double rate, double burst);
void ratelimit_free(struct ratelimit *rl);
/* true when key has no token left (nothing is spent) */
bool ratelimit_blocked(struct ratelimit *rl, const char *key, double now);
/* spends one of key's tokens (a failure) */
void ratelimit_spend(struct ratelimit *rl, const char *key, double now);

/* ---- files --------------------------------------------------------------- */

int file_read(struct buf *out, const char *path, struct err *e);
/* writes through a temporary file, fsync and rename; mode as for open(2) */
int file_write_atomic(const char *path, const void *data, size_t n, int mode, struct err *e);

#endif
