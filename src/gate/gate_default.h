/*
 * gate_default.h - the policies and entities `airlock mcp` uses when none
 * are given: policies/default.cedar and policies/default-entities.json,
 * compiled in (build/gen/gate_default.c, made by scripts/embed.sh).
 */
#ifndef GATE_DEFAULT_H
#define GATE_DEFAULT_H

extern const char gate_default_policies[];
extern const char gate_default_entities[];

#endif
