// Turns one run of the benchmarks into bench/results/latest.md and the data
// for the chart: ns per hop, and each variant's throughput as a ratio to
// plain Asio measured in the same run.
//
//   node report.mjs MICRO_JSON NODE20_JSON NODE24_JSON HTTP_TXT OUT_DIR MACHINE
//
// Copyright (c) 2026 The Boost.AsyncLocal authors
// Distributed under the Boost Software License, Version 1.0.

import { readFileSync, writeFileSync, existsSync } from 'node:fs';

const [microFile, node20File, node24File, httpFile, outDir, machine] =
  process.argv.slice(2);

const micro = JSON.parse(readFileSync(microFile, 'utf8'));
const median = {};
for (const b of micro.benchmarks) {
  if (b.aggregate_name && b.aggregate_name !== 'median') continue;
  // (Benchmarks timed on the wall clock carry a "/real_time" suffix.)
  median[b.run_name.replace(/\/real_time$/, '')] = b;
}
// Google Benchmark writes an inverted rate counter in seconds.
const nsPerHop = (name) =>
  median[name]?.ns_per_hop === undefined ? undefined : median[name].ns_per_hop * 1e9;
const nsPerOp = (name) => median[name]?.cpu_time;
const allocs = (name) => median[name]?.allocs_per_hop;
const fmt = (x, d = 1) => (x === undefined ? 'n/a' : x.toFixed(d));

const readJson = (f) => (f && existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null);
const node20 = readJson(node20File);
const node24 = readJson(node24File);

const lines = [];
lines.push('# Benchmark results', '');
lines.push(`Machine: ${machine}. Date: ${new Date().toISOString().slice(0, 10)}.`);
lines.push('Each figure is the median of the repetitions of one run of `tools/bench`;');
lines.push('a ratio is plain Asio\'s ns per hop divided by the variant\'s, measured in');
lines.push('the same run (1.00 = as fast as plain Asio; higher is better).');
lines.push('The microbenchmarks run in a multi-threaded process, as servers do (see');
lines.push('bench/README.md). Where targets are missed, bench/README.md says by how');
lines.push('much and why.', '');

const scenarios = [
  ['post chain', 'post', ['plain', 'al_empty', 'al_1', 'al_8', 'manual', 'bind_1']],
  ['steady_timer(0) chain', 'timer', ['plain', 'al_empty', 'al_1', 'al_8']],
  ['strand chain', 'strand', ['plain', 'al_empty', 'al_1', 'al_8']],
  ['2 threads, one shared context', 'threads2', ['plain', 'al_1']],
];
const variantName = {
  plain: 'plain Asio',
  al_empty: 'al::propagating_executor, empty context',
  al_1: 'al::propagating_executor, 1 variable bound',
  al_8: 'al::propagating_executor, 8 variables bound',
  manual: 'ID passed by hand (shared_ptr<const string>)',
  bind_1: 'al::bind_snapshot on a plain executor, 1 bound',
};
const chart = [];
lines.push('## Propagation per hop', '');
lines.push('| scenario | variant | ns/hop | ratio to plain | allocations/hop |');
lines.push('|---|---|---:|---:|---:|');
for (const [title, prefix, variants] of scenarios) {
  const base = nsPerHop(`${prefix}_plain`);
  for (const v of variants) {
    const ns = nsPerHop(`${prefix}_${v}`);
    const ratio = base && ns ? base / ns : undefined;
    lines.push(`| ${title} | ${variantName[v]} | ${fmt(ns)} | ${fmt(ratio, 2)} | ${fmt(allocs(`${prefix}_${v}`), 2)} |`);
    if (ratio !== undefined && v !== 'plain') chart.push([`${prefix} ${v}`, ratio]);
  }
}

lines.push('', '## Variables', '');
lines.push('| operation | ns |', '|---|---:|');
for (const [name, label] of [['get/1', 'get(), 1 variable bound'],
    ['get/4', 'get(), 4 variables bound'], ['get/16', 'get(), 16 variables bound'],
    ['set', 'set() and its guard'], ['run', 'run()'],
    ['current_and_run', 'snapshot::current() + run()']])
  lines.push(`| ${label} | ${fmt(nsPerOp(name), 2)} |`);

if (node20 || node24) {
  lines.push('', '## The peer: Node.js AsyncLocalStorage', '');
  lines.push('| chain | Node | ns/hop without ALS | ns/hop with ALS | ALS cost ns/hop |');
  lines.push('|---|---|---:|---:|---:|');
  for (const n of [node20, node24].filter(Boolean))
    for (const kind of ['immediate', 'await'])
      lines.push(`| ${kind === 'immediate' ? 'setImmediate' : 'await'} | ${n.node} | ${fmt(n[`${kind}_plain`])} | ${fmt(n[`${kind}_als`])} | ${fmt(n[`${kind}_als`] - n[`${kind}_plain`])} |`);
}

let httpRatio;
if (httpFile && existsSync(httpFile)) {
  lines.push('', '## Beast server under wrk', '');
  lines.push(readFileSync(httpFile, 'utf8').trim());
  const m = /ratio with IDs \/ without: ([0-9.]+)/.exec(readFileSync(httpFile, 'utf8'));
  if (m) httpRatio = Number(m[1]);
}

// The issue's targets, each measured in this run.
const ratio = (p, v) => nsPerHop(`${p}_plain`) / nsPerHop(`${p}_${v}`);
const targets = [
  ['empty context, post chain', ratio('post', 'al_empty'), '>=', 0.98],
  ['1 variable bound, post chain', ratio('post', 'al_1'), '>=', 0.95],
  ['8 variables bound, post chain', ratio('post', 'al_8'), '>=', 0.93],
  ['get() ns', nsPerOp('get/1'), '<=', 2],
  ['run() ns', nsPerOp('run'), '<=', 15],
  ['Beast throughput with IDs / without', httpRatio, '>=', 0.99],
];
lines.push('', '## Targets', '');
lines.push('| measure | this run | target | met |', '|---|---:|---:|---|');
for (const [name, value, op, target] of targets) {
  const met = value === undefined || Number.isNaN(value) ? 'not measured'
    : (op === '>=' ? value >= target : value <= target) ? 'yes'
    : `no (by ${fmt(Math.abs(value - target), 2)})`;
  lines.push(`| ${name} | ${fmt(value, 2)} | ${op} ${target} | ${met} |`);
}

writeFileSync(`${outDir}/latest.md`, lines.join('\n') + '\n');
writeFileSync(`${outDir}/latest.dat`,
  chart.map(([label, r]) => `"${label}" ${r.toFixed(3)}`).join('\n') + '\n');
console.log(lines.join('\n'));
