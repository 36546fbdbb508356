/*
 * render.h -- what the rendering files (decision.c, render_*.c) share
 * privately. No third-party header here: jansson stays in decision.c.
 */
#ifndef CX_RENDER_H
#define CX_RENDER_H

#include <stddef.h>
#include <stdint.h>

#define CX_BAD_CP 0xFFFFFFFFu /* cx__utf8_next: an invalid sequence */

/* Decodes the character at s[0..n), n >= 1, into *cp and returns its
 * length. An invalid sequence (a stray continuation byte, an overlong form,
 * a surrogate, beyond U+10FFFF, cut short) sets *cp to CX_BAD_CP and
 * returns the length of its maximal subpart, so that each becomes one
 * U+FFFD (Unicode's "substitution of maximal subparts"). */
size_t cx__utf8_next(const unsigned char *s, size_t n, uint32_t *cp);

#endif
