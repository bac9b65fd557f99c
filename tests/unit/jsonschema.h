/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A JSON Schema validator for the tests, over jansson: the subset of draft 2020-12 that
 * docs/result.schema.json uses (type, const, enum, properties, required,
 * additionalProperties, items, minimum, maximum, local $ref). A keyword it does not know
 * fails validation, so the schema cannot silently outgrow the validator.
 */
#ifndef KTSTR_TEST_JSONSCHEMA_H
#define KTSTR_TEST_JSONSCHEMA_H

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>

struct js_ctx {
	json_t *root;		/* the schema document, for $ref */
	char err[1100];
};

static int js_fail(struct js_ctx *c, const char *path, const char *what)
{
	if (!c->err[0])
		snprintf(c->err, sizeof(c->err), "%.520s: %.520s", path[0] ? path : "(root)", what);
	return -1;
}

static int js_type_is(const json_t *v, const char *t)
{
	if (!strcmp(t, "object")) return json_is_object(v);
	if (!strcmp(t, "array")) return json_is_array(v);
	if (!strcmp(t, "string")) return json_is_string(v);
	if (!strcmp(t, "boolean")) return json_is_boolean(v);
	if (!strcmp(t, "null")) return json_is_null(v);
	if (!strcmp(t, "number")) return json_is_number(v);
	/* 2020-12: an integer is any number with a zero fractional part */
	if (!strcmp(t, "integer"))
		return json_is_integer(v) ||
		       (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)));
	return 0;
}

static int js_validate_at(struct js_ctx *c, const json_t *s, const json_t *v, const char *path);

static int js_ref(struct js_ctx *c, const char *ref, const json_t *v, const char *path)
{
	const char *pre = "#/$defs/";
	json_t *defs = json_object_get(c->root, "$defs"), *t;

	if (strncmp(ref, pre, strlen(pre)) || !(t = json_object_get(defs, ref + strlen(pre))))
		return js_fail(c, path, "unresolvable $ref");
	return js_validate_at(c, t, v, path);
}

static int js_validate_at(struct js_ctx *c, const json_t *s, const json_t *v, const char *path)
{
	const char *key;
	json_t *kw;
	char sub[520];

	json_object_foreach((json_t *)s, key, kw) {
		if (!strcmp(key, "$schema") || !strcmp(key, "$id") || !strcmp(key, "$defs") ||
		    !strcmp(key, "title") || !strcmp(key, "description"))
			continue;
		if (!strcmp(key, "$ref")) {
			if (js_ref(c, json_string_value(kw), v, path))
				return -1;
		} else if (!strcmp(key, "type")) {
			int ok = 0;

			if (json_is_string(kw))
				ok = js_type_is(v, json_string_value(kw));
			for (size_t i = 0; json_is_array(kw) && i < json_array_size(kw); i++)
				ok |= js_type_is(v, json_string_value(json_array_get(kw, i)));
			if (!ok)
				return js_fail(c, path, "wrong type");
		} else if (!strcmp(key, "const")) {
			if (!json_equal(kw, (json_t *)v))
				return js_fail(c, path, "not the const value");
		} else if (!strcmp(key, "enum")) {
			int ok = 0;

			for (size_t i = 0; i < json_array_size(kw); i++)
				ok |= json_equal(json_array_get(kw, i), (json_t *)v);
			if (!ok)
				return js_fail(c, path, "not one of the enum values");
		} else if (!strcmp(key, "minimum") || !strcmp(key, "maximum")) {
			double lim = json_number_value(kw), x = json_number_value(v);

			if (json_is_number(v) && (key[1] == 'i' ? x < lim : x > lim))
				return js_fail(c, path, key);
		} else if (!strcmp(key, "required")) {
			for (size_t i = 0; json_is_object(v) && i < json_array_size(kw); i++)
				if (!json_object_get(v, json_string_value(json_array_get(kw, i)))) {
					snprintf(sub, sizeof(sub), "missing required '%.400s'",
						 json_string_value(json_array_get(kw, i)));
					return js_fail(c, path, sub);
				}
		} else if (!strcmp(key, "properties") || !strcmp(key, "additionalProperties")) {
			json_t *props = json_object_get(s, "properties");
			json_t *extra = json_object_get(s, "additionalProperties");
			const char *k;
			json_t *x;

			if (!strcmp(key, "additionalProperties") && props)
				continue;	/* handled with properties */
			if (!json_is_object(v))
				continue;
			json_object_foreach((json_t *)v, k, x) {
				json_t *ps = props ? json_object_get(props, k) : NULL;

				snprintf(sub, sizeof(sub), "%.400s/%.100s", path, k);
				if (ps) {
					if (js_validate_at(c, ps, x, sub))
						return -1;
				} else if (json_is_false(extra)) {
					return js_fail(c, sub, "property not in the schema");
				} else if (json_is_object(extra) && js_validate_at(c, extra, x, sub)) {
					return -1;
				}
			}
		} else if (!strcmp(key, "items")) {
			for (size_t i = 0; json_is_array(v) && i < json_array_size(v); i++) {
				snprintf(sub, sizeof(sub), "%.400s/%zu", path, i);
				if (js_validate_at(c, kw, json_array_get(v, i), sub))
					return -1;
			}
		} else {
			snprintf(sub, sizeof(sub), "schema keyword '%.400s' unknown to the validator",
				 key);
			return js_fail(c, path, sub);
		}
	}
	return 0;
}

/* 0 when v is valid against schema; else -1 with the first problem in err. */
static inline int js_validate(json_t *schema, const json_t *v, char *err, size_t errsz)
{
	struct js_ctx c = { .root = schema };
	int ret = js_validate_at(&c, schema, v, "");

	memcpy(err, c.err, errsz < sizeof(c.err) ? errsz : sizeof(c.err));
	err[errsz - 1] = '\0';
	return ret;
}

#endif
