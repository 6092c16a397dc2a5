// Dumped services and destinations cross to JS as tables, not as one object per entry: a
// Uint32Array of numeric columns, a BigUint64Array of the stats, and the text columns joined in one
// string. Building an object per entry through N-API (14 properties and a stats object of 10
// BigInts) cost ~3 µs per entry on the host, most of it V8 growing each object's property store
// and collecting the garbage; lib/reply-tables.ts reads the columns into object literals instead.
//
// Column orders are exported (ReplyLayoutToJs) and checked by the JS side when it loads.
#pragma once

#include <napi.h>

#include <vector>

#include "ipvs/types.h"

namespace addon {

// { count, numbers: Uint32Array, stats: BigUint64Array, texts: string }
Napi::Object ServicesToTable(Napi::Env env, const std::vector<ipvs::Service>& services);
Napi::Object DestsToTable(Napi::Env env, const std::vector<ipvs::Dest>& dests);

// Many destination dumps (one per service, answered in request order) as one table:
// { errors: Int32Array (0 or a positive errno per dump), ends: Uint32Array (one past each dump's
// last row), dests: table, messages?: string[] (only when the kernel gave one) }. One table per
// exchange instead of one per dump: a listing of 5000 services spent 60 µs a dump in the lab
// building per-dump tables on the JS thread, a quarter of its time.
Napi::Object DestDumpsToJs(Napi::Env env, const std::vector<ipvs::Reply>& replies);

// { service: { numbers, texts }, dest: { numbers, texts }, stats }: column names in order.
Napi::Object ReplyLayoutToJs(Napi::Env env);

}  // namespace addon
