/*
 * cedar_testfile.h - policy tests in Cedar's integration-test format.
 *
 * A test file names its "policies" and "entities" files (relative to a root
 * folder) and lists "requests", each with principal, action, resource,
 * context and the expected "decision", "reason" (determining policy ids)
 * and "errors" (erroring policy ids).  Each request passes when decision,
 * the set of reasons and the set of errors all match.  With a "schema" and
 * "shouldValidate", whether the policies validate against that schema
 * (cedar_validate.h) is one more check.  The report names every failing request with what was
 * expected and what came out.
 */
#ifndef CEDAR_TESTFILE_H
#define CEDAR_TESTFILE_H

#include "../util/util_buf.h"
#include "cedar_err.h"

struct cedar_testfile_result {
    unsigned passed;
    unsigned failed;
    unsigned validations; /* of passed and failed, the shouldValidate checks */
};

/* 0 when the file could be run (its requests may still fail), or a
 * CEDAR_E_* code with err set when the test file itself is unusable. */
int cedar_testfile_run(const char *path, const char *root, struct util_buf *report,
                       struct cedar_testfile_result *res, struct cedar_error *err);

#endif
