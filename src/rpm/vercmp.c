/* SPDX-License-Identifier: MIT */
/*
 * rpmvercmp() and EVR comparison, following rpm 4.18 (rpmio/rpmvercmp.c,
 * rpmio/rpmver.c) step by step. The segment walk works on lengths instead of
 * rpm's temporary NUL writes, so the inputs stay const.
 */
#include "rpm/rpm.h"

#include <errno.h>
#include <string.h>

/* rpm's risalnum()/risdigit() are ASCII only: bytes >= 0x80 are separators. */
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_alnum(char c) { return is_digit(c) || is_alpha(c); }

int alu_rpmvercmp(const char *a, const char *b)
{
	const char *one = a, *two = b, *e1, *e2;
	size_t l1, l2;
	int isnum, rc;

	if (strcmp(a, b) == 0)
		return 0;
	while (*one || *two) {
		while (*one && !is_alnum(*one) && *one != '~' && *one != '^')
			one++;
		while (*two && !is_alnum(*two) && *two != '~' && *two != '^')
			two++;

		/* 1. '~' sorts before everything, even the end of the string. */
		if (*one == '~' || *two == '~') {
			if (*one != '~')
				return 1;
			if (*two != '~')
				return -1;
			one++;
			two++;
			continue;
		}
		/* 2. '^' sorts after the end of the string but before any
		 *    further segment. */
		if (*one == '^' || *two == '^') {
			if (!*one)
				return -1;
			if (!*two)
				return 1;
			if (*one != '^')
				return 1;
			if (*two != '^')
				return -1;
			one++;
			two++;
			continue;
		}
		if (!(*one && *two))
			break;

		/* 3. One all-digit or all-alpha segment from each side, the
		 *    kind chosen by the first string. */
		e1 = one;
		e2 = two;
		isnum = is_digit(*one);
		if (isnum) {
			while (is_digit(*e1))
				e1++;
			while (is_digit(*e2))
				e2++;
		} else {
			while (is_alpha(*e1))
				e1++;
			while (is_alpha(*e2))
				e2++;
		}
		/* A numeric segment is newer than an alpha one. */
		if (e2 == two)
			return isnum ? 1 : -1;

		if (isnum) {
			while (*one == '0' && one < e1)
				one++;
			while (*two == '0' && two < e2)
				two++;
			l1 = (size_t)(e1 - one);
			l2 = (size_t)(e2 - two);
			if (l1 != l2)
				return l1 > l2 ? 1 : -1;
		} else {
			l1 = (size_t)(e1 - one);
			l2 = (size_t)(e2 - two);
		}
		rc = memcmp(one, two, l1 < l2 ? l1 : l2);
		if (rc == 0 && l1 != l2)
			rc = l1 < l2 ? -1 : 1;
		if (rc)
			return rc < 0 ? -1 : 1;
		one = e1;
		two = e2;
	}
	/* 4. Equal segments, different separators: the longer one wins. */
	if (!*one && !*two)
		return 0;
	return *one ? 1 : -1;
}

int alu_evr_cmp(const struct alu_evr *a, const struct alu_evr *b)
{
	int rc;

	if (a->epoch != b->epoch)
		return a->epoch < b->epoch ? -1 : 1;
	rc = alu_rpmvercmp(a->version ? a->version : "", b->version ? b->version : "");
	if (rc)
		return rc;
	/* rpmverCmp(): a missing release on either side matches any. */
	if (!a->release || !*a->release || !b->release || !*b->release)
		return 0;
	return alu_rpmvercmp(a->release, b->release);
}

int alu_evr_parse(char *s, struct alu_evr *out)
{
	char *p = s, *dash;
	uint64_t epoch = 0;

	/* As rpm's parseEVR(): an epoch is the leading digits, and only when a
	 * ':' follows them; "" before the ':' is epoch 0. */
	while (is_digit(*p))
		p++;
	dash = strrchr(p, '-');
	out->epoch = 0;
	out->version = s;
	if (*p == ':') {
		for (const char *d = s; d < p; d++) {
			epoch = epoch * 10 + (uint64_t)(*d - '0');
			if (epoch > UINT32_MAX)
				return -ALUE_CORRUPT;
		}
		out->epoch = (uint32_t)epoch;
		*p = '\0';
		out->version = p + 1;
	}
	out->release = NULL;
	if (dash) {
		*dash = '\0';
		out->release = dash + 1;
	}
	return 0;
}
