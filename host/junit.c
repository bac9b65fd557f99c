// SPDX-License-Identifier: GPL-2.0-only
/* JUnit XML through libxml2's xmlwriter: escaping and encoding are the library's job. */
#include "dl.h"
#include "verdict.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libxml/xmlwriter.h>

/* libxml2, loaded when --junit is given (dl.h). */
static struct {
	KT_DLFN(xmlNewTextWriterFilename);
	KT_DLFN(xmlFreeTextWriter);
	KT_DLFN(xmlTextWriterSetIndent);
	KT_DLFN(xmlTextWriterStartDocument);
	KT_DLFN(xmlTextWriterEndDocument);
	KT_DLFN(xmlTextWriterStartElement);
	KT_DLFN(xmlTextWriterEndElement);
	KT_DLFN(xmlTextWriterWriteAttribute);
	KT_DLFN(xmlTextWriterWriteElement);
	KT_DLFN(xmlTextWriterWriteString);
} lx;

static int load_libxml2(void)
{
	static const struct kt_dlsym syms[] = {
		KT_DLSYM(lx, xmlNewTextWriterFilename),
		KT_DLSYM(lx, xmlFreeTextWriter),
		KT_DLSYM(lx, xmlTextWriterSetIndent),
		KT_DLSYM(lx, xmlTextWriterStartDocument),
		KT_DLSYM(lx, xmlTextWriterEndDocument),
		KT_DLSYM(lx, xmlTextWriterStartElement),
		KT_DLSYM(lx, xmlTextWriterEndElement),
		KT_DLSYM(lx, xmlTextWriterWriteAttribute),
		KT_DLSYM(lx, xmlTextWriterWriteElement),
		KT_DLSYM(lx, xmlTextWriterWriteString),
	};
	static struct kt_dllib lib = { "libxml2.so.2", "--junit", syms,
				       sizeof(syms) / sizeof(syms[0]), 0 };

	return kt_dlload(&lib);
}

static int write_doc(xmlTextWriterPtr w, const struct verdict *vd, const char *suite,
		     double seconds)
{
	char num[32], cls[96];
	int r = 0;

	r |= lx.xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0;
	r |= lx.xmlTextWriterStartElement(w, BAD_CAST "testsuites") < 0;
	r |= lx.xmlTextWriterStartElement(w, BAD_CAST "testsuite") < 0;
	r |= lx.xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST suite) < 0;
	snprintf(num, sizeof(num), "%zu", vd->n);
	r |= lx.xmlTextWriterWriteAttribute(w, BAD_CAST "tests", BAD_CAST num) < 0;
	snprintf(num, sizeof(num), "%zu", verdict_count(vd, OUTCOME_FAIL));
	r |= lx.xmlTextWriterWriteAttribute(w, BAD_CAST "failures", BAD_CAST num) < 0;
	snprintf(num, sizeof(num), "%zu", verdict_count(vd, OUTCOME_SKIP));
	r |= lx.xmlTextWriterWriteAttribute(w, BAD_CAST "skipped", BAD_CAST num) < 0;
	snprintf(num, sizeof(num), "%zu", verdict_count(vd, OUTCOME_ERROR));
	r |= lx.xmlTextWriterWriteAttribute(w, BAD_CAST "errors", BAD_CAST num) < 0;
	snprintf(num, sizeof(num), "%.3f", seconds);
	r |= lx.xmlTextWriterWriteAttribute(w, BAD_CAST "time", BAD_CAST num) < 0;
	for (size_t i = 0; i < vd->n && !r; i++) {
		const struct outcome *o = &vd->v[i];

		snprintf(cls, sizeof(cls), "ktstr.%s", o->group[0] ? o->group : "run");
		r |= lx.xmlTextWriterStartElement(w, BAD_CAST "testcase") < 0;
		r |= lx.xmlTextWriterWriteAttribute(w, BAD_CAST "classname", BAD_CAST cls) < 0;
		r |= lx.xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST o->check) < 0;
		if (o->result != OUTCOME_PASS) {
			r |= lx.xmlTextWriterStartElement(w, BAD_CAST(o->result == OUTCOME_FAIL ?
							    "failure" :
							    o->result == OUTCOME_ERROR ?
							    "error" : "skipped")) < 0;
			r |= lx.xmlTextWriterWriteAttribute(w, BAD_CAST "message",
							 BAD_CAST o->detail) < 0;
			r |= lx.xmlTextWriterWriteString(w, BAD_CAST o->detail) < 0;
			r |= lx.xmlTextWriterEndElement(w) < 0;
		} else if (o->detail[0]) {
			r |= lx.xmlTextWriterWriteElement(w, BAD_CAST "system-out",
						       BAD_CAST o->detail) < 0;
		}
		r |= lx.xmlTextWriterEndElement(w) < 0;
	}
	r |= lx.xmlTextWriterEndDocument(w) < 0;
	return r ? -1 : 0;
}

int junit_write(const struct verdict *vd, const char *suite, double seconds, const char *path)
{
	char tmp[4200];
	int to_stdout = !strcmp(path, "-"), ret;
	xmlTextWriterPtr w;
	struct stat st;

	if (load_libxml2() < 0)
		return -1;
	/* A device or FIFO (/dev/null, a pipe) is written in place: never renamed over. */
	if (!to_stdout && stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		w = lx.xmlNewTextWriterFilename(path, 0);
		if (!w) {
			kt_err("--junit: cannot open %s: %s", path, strerror(errno));
			return -1;
		}
		lx.xmlTextWriterSetIndent(w, 1);
		ret = write_doc(w, vd, suite, seconds);
		lx.xmlFreeTextWriter(w);
		if (ret < 0)
			kt_err("--junit: writing %s failed", path);
		return ret;
	}

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	w = lx.xmlNewTextWriterFilename(to_stdout ? "-" : tmp, 0);
	if (!w) {
		kt_err("--junit: cannot create %s: %s", to_stdout ? "stdout" : tmp, strerror(errno));
		return -1;
	}
	lx.xmlTextWriterSetIndent(w, 1);
	ret = write_doc(w, vd, suite, seconds);
	lx.xmlFreeTextWriter(w);	/* flushes and closes */
	if (to_stdout)
		return ret;
	if (ret < 0 || rename(tmp, path) < 0) {
		kt_err("--junit: writing %s failed%s%s", path, ret < 0 ? "" : ": ",
		       ret < 0 ? "" : strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
