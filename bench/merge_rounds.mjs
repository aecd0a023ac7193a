// Joins the JSON lines of several runs of single_file (of one build, in one
// kind of process) into one: medians and spreads over all their rounds.
//
//   node merge_rounds.mjs FILE
//
// Copyright (c) 2026 The Boost.AsyncLocal authors
// Distributed under the Boost Software License, Version 1.0.

import { readFileSync } from 'node:fs';

const runs = readFileSync(process.argv[2], 'utf8').split('\n')
  .filter((l) => l.trim()).map((l) => JSON.parse(l));
const median = (v) => {
  const s = [...v].sort((a, b) => a - b), n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const out = { process: runs[0].process, rounds: 0, runs: runs.length, variants: {} };
for (const r of runs) {
  out.rounds += r.rounds;
  for (const [v, x] of Object.entries(r.variants)) {
    const acc = (out.variants[v] ??= { rounds_ns: [], rounds_ratio: [] });
    acc.rounds_ns.push(...x.rounds_ns);
    acc.rounds_ratio.push(...x.rounds_ratio);
  }
}
for (const x of Object.values(out.variants)) {
  x.ns_per_hop = median(x.rounds_ns);
  x.ratio = median(x.rounds_ratio);
  x.ratio_min = Math.min(...x.rounds_ratio);
  x.ratio_max = Math.max(...x.rounds_ratio);
  delete x.rounds_ns;
  delete x.rounds_ratio;
}
console.log(JSON.stringify(out));
