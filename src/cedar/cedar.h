/*
 * cedar.h - airlock's Cedar engine, everything a caller needs.
 *
 *   struct cedar_policyset *ps = cedar_policyset_new();
 *   cedar_policyset_add_text(ps, text, len, 0, &diags);
 *   struct cedar_entities *es = cedar_entities_new();
 *   cedar_entities_load_json(es, json, len, &err);
 *   struct cedar_authorizer *az = cedar_authorizer_new();
 *   cedar_request_from_json(...) or fill struct cedar_request;
 *   cedar_authorize(az, ps, es, &req, &resp);
 *
 * cedar_hash_init() must be called once at program start.
 */
#ifndef CEDAR_H
#define CEDAR_H

#include "cedar_authz.h"
#include "cedar_entities.h"
#include "cedar_err.h"
#include "cedar_eval.h"
#include "cedar_format.h"
#include "cedar_json.h"
#include "cedar_limits.h"
#include "cedar_parse.h"
#include "cedar_policy.h"
#include "cedar_request.h"
#include "cedar_schema.h"
#include "cedar_validate.h"
#include "cedar_value.h"

#endif
