// SPDX-License-Identifier: GPL-2.0-only
/* Loading an optional library at the point of use: see dl.h for why. */
#include "dl.h"
#include "util.h"

#include <dlfcn.h>

int kt_dlopen(const char *soname, const char *what, const struct kt_dlsym *syms, size_t n)
{
	/* RTLD_NODELETE: the addresses handed out stay valid; the library is never closed. */
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);

	if (!h) {
		kt_err("%s needs %s, which cannot be loaded: %s", what, soname, dlerror());
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		void *p;

		dlerror();
		p = dlsym(h, syms[i].name);
		if (!p) {
			kt_err("%s needs %s from %s: %s", what, syms[i].name, soname, dlerror());
			return -1;
		}
		*syms[i].fn = p;
	}
	return 0;
}

int kt_dlload(struct kt_dllib *l)
{
	if (!l->state)
		l->state = kt_dlopen(l->soname, l->what, l->syms, l->n) == 0 ? 1 : -1;
	return l->state > 0 ? 0 : -1;
}

const char *kt_dl_probe(const char *soname)
{
	void *h = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);

	if (!h)
		return dlerror();
	dlclose(h);
	return NULL;
}
