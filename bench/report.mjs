// Turns one run of the benchmarks into bench/results/latest.md and the data
// for the chart: ns per hop, and each variant's throughput as a ratio to
// plain Asio measured in the same run.
//
//   node report.mjs MICRO_JSON NODE20_JSON NODE24_JSON HTTP_TXT OUT_DIR MACHINE \
//     SINGLE_ST SINGLE_MT SINGLE_ST_NO_HOOKS SINGLE_MT_NO_HOOKS \
//     SINGLE_ST_ZONES SINGLE_MT_ZONES SINGLE_ST_DISABLED SINGLE_MT_DISABLED \
//     SINGLE_ST_WATCHED SINGLE_MT_WATCHED SINGLE_ST_ZONES_NONE SINGLE_MT_ZONES_NONE
//
// Copyright (c) 2026 The Boost.AsyncLocal authors
// Distributed under the Boost Software License, Version 1.0.

import { readFileSync, writeFileSync, existsSync } from 'node:fs';

const [microFile, node20File, node24File, httpFile, outDir, machine,
  singleStFile, singleMtFile, singleStNoHooksFile, singleMtNoHooksFile,
  singleStZonesFile, singleMtZonesFile, singleStDisabledFile, singleMtDisabledFile,
  singleStWatchedFile, singleMtWatchedFile, singleStZonesNoneFile,
  singleMtZonesNoneFile] =
  process.argv.slice(2);

const micro = JSON.parse(readFileSync(microFile, 'utf8'));
const median = {};
const reps = {};  // run name -> repetition index -> ns per hop
for (const b of micro.benchmarks) {
  // (Benchmarks timed on the wall clock carry a "/real_time" suffix.)
  const name = b.run_name.replace(/\/real_time$/, '');
  if (!b.aggregate_name) {
    if (b.ns_per_hop !== undefined)
      (reps[name] ??= {})[b.repetition_index] = b.ns_per_hop * 1e9;
    continue;
  }
  if (b.aggregate_name === 'median') median[name] = b;
}
// The spread of a ratio over the repetitions, unpaired: Google Benchmark's
// random interleaving runs each repetition at its own time, so plain's
// repetition i and a variant's repetition i were not measured together.
// From plain's fastest over the variant's slowest to the other way round.
const spread = (base, name) => {
  const a = Object.values(reps[base] ?? {}), b = Object.values(reps[name] ?? {});
  if (!a.length || !b.length) return undefined;
  return [Math.min(...a) / Math.max(...b), Math.max(...a) / Math.min(...b)];
};
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
lines.push('Each figure is the median of the repetitions (or rounds) of one run of');
lines.push('`tools/bench`, which interleaves them. The spread of a microbenchmark');
lines.push('ratio runs from plain Asio\'s fastest repetition over the variant\'s slowest');
lines.push('to the other way round (the widest it can be); the single-file program\'s');
lines.push('spread is over ratios taken within each round.');
lines.push('A ratio is plain Asio\'s ns per hop divided by the variant\'s, measured in');
lines.push('the same run (1.00 = as fast as plain Asio; higher is better).');
lines.push('The microbenchmarks run in a multi-threaded process, as servers do (see');
lines.push('bench/README.md). Where targets are missed, bench/README.md says by how');
lines.push('much and why.', '');

const scenarios = [
  ['post chain', 'post', ['plain', 'al_empty', 'al_1', 'al_8', 'al_1_hook', 'manual', 'bind_1']],
  ['steady_timer(0) chain', 'timer', ['plain', 'al_empty', 'al_1', 'al_8']],
  ['strand chain', 'strand', ['plain', 'al_empty', 'al_1', 'al_8']],
  ['2 threads, one shared context', 'threads2', ['plain', 'al_1']],
];
const variantName = {
  plain: 'plain Asio',
  al_empty: 'al::propagating_executor, empty context',
  al_1: 'al::propagating_executor, 1 variable bound',
  al_8: 'al::propagating_executor, 8 variables bound',
  al_1_hook: 'al::propagating_executor, 1 bound, one no-op hook installed',
  al_1_zone: 'al::propagating_executor, 1 bound, inside an al::zone',
  al_1_off: 'al::propagating_executor, 1 bound, propagation switched off',
  al_1_watched: 'al::propagating_executor, 1 bound, and 1 with a change callback',
  manual: 'ID passed by hand (shared_ptr<const string>)',
  bind_1: 'al::bind_snapshot on a plain executor, 1 bound',
};
const chart = [];
lines.push('## Propagation per hop', '');
lines.push('| scenario | variant | ns/hop | ratio to plain | spread | allocations/hop |');
lines.push('|---|---|---:|---:|---:|---:|');
for (const [title, prefix, variants] of scenarios) {
  const base = nsPerHop(`${prefix}_plain`);
  for (const v of variants) {
    const ns = nsPerHop(`${prefix}_${v}`);
    const ratio = base && ns ? base / ns : undefined;
    const sp = v === 'plain' ? undefined : spread(`${prefix}_plain`, `${prefix}_${v}`);
    const spText = sp ? `${fmt(sp[0], 2)}–${fmt(sp[1], 2)}` : '';
    lines.push(`| ${title} | ${variantName[v]} | ${fmt(ns)} | ${fmt(ratio, 2)} | ${spText} | ${fmt(allocs(`${prefix}_${v}`), 2)} |`);
    if (ratio !== undefined && v !== 'plain') chart.push([`${prefix} ${v}`, ratio]);
  }
}

// The single-file program: the chains in one translation unit, as a user
// writes them, in a single- and a multi-threaded process.
const singleSt = readJson(singleStFile), singleMt = readJson(singleMtFile);
const singleStNoHooks = readJson(singleStNoHooksFile);
const singleMtNoHooks = readJson(singleMtNoHooksFile);
const singleStZones = readJson(singleStZonesFile);
const singleMtZones = readJson(singleMtZonesFile);
const singleStDisabled = readJson(singleStDisabledFile);
const singleMtDisabled = readJson(singleMtDisabledFile);
const singleStWatched = readJson(singleStWatchedFile);
const singleMtWatched = readJson(singleMtWatchedFile);
const singleStZonesNone = readJson(singleStZonesNoneFile);
const singleMtZonesNone = readJson(singleMtZonesNoneFile);
const singles = [singleSt, singleStNoHooks, singleStZones, singleStZonesNone, singleStDisabled,
  singleStWatched, singleMt, singleMtNoHooks, singleMtZones, singleMtZonesNone,
  singleMtDisabled, singleMtWatched].filter(Boolean);
// A section: a heading, a paragraph, and a table whose first `text`
// columns are text and the others figures.
function section(title, intro, header, text, rows) {
  lines.push('', `## ${title}`, '', ...intro, '');
  lines.push(`| ${header.join(' | ')} |`);
  lines.push(`|${header.map((_, i) => (i < text ? '---' : '---:')).join('|')}|`);
  lines.push(...rows);
}
// A single-file variant's spread over its rounds.
const roundSpread = (x) => `${fmt(x?.ratio_min, 2)}–${fmt(x?.ratio_max, 2)}`;

if (singles.length) {
  const rows = [];
  for (const r of singles)
    for (const [v, x] of Object.entries(r.variants))
      rows.push(`| ${r.process} (${r.rounds} rounds) | ${variantName[v]} | ${fmt(x.ns_per_hop)} | ${fmt(x.ratio, 2)} | ${v === 'plain' ? '' : roundSpread(x)} |`);
  section('Post chains in one translation unit (-O2)', [
    '`single_file.cpp`: plain Asio and the propagating executor in one',
    'translation unit, as a user\'s program has them; rounds interleaved.',
    '"hooks compiled out" is the same program built with',
    '`BOOST_ASYNC_LOCAL_NO_HOOKS`, the hop as it was before hooks existed; its',
    'runs alternate with the other build\'s in the same `tools/bench` run.'],
    ['process', 'variant', 'ns/hop', 'ratio to plain', 'spread over rounds'], 2, rows);
}

// The single-file chains of two programs (or processes), variant by
// variant: each one's ratio to plain Asio, their quotient, and the second
// one's spread over its rounds (the noise). `proc` picks the row's label.
// Returns [process, variant, ratio, other ratio, other variant] rows.
function compare(pairs, proc) {
  const rows = [];
  for (const [a, b] of pairs)
    if (a && b)
      for (const v of ['al_empty', 'al_1', 'al_8'])
        rows.push([proc(a, b).process, v, a.variants[v]?.ratio, b.variants[v]?.ratio, b.variants[v]]);
  return rows;
}
const compareRow = ([proc, v, x, y, other]) =>
  `| ${proc} | ${variantName[v]} | ${fmt(x, 2)} | ${fmt(y, 2)} | ${fmt(x / y, 3)} | ${roundSpread(other)} |`;

// Zero cost when unused: the hop with hooks compiled in but none installed,
// against the same hop with hooks compiled out, in the same run.
const zeroCost = compare([[singleSt, singleStNoHooks], [singleMt, singleMtNoHooks]], (a) => a);
if (zeroCost.length)
  section('Hooks: cost when none is installed', [
    'Ratio to plain Asio of the single-file chains with hooks compiled in (no',
    'hook installed) and compiled out, from the table above. The last column',
    'is the compiled-out build\'s own spread over its rounds: the noise.'],
    ['process', 'variant', 'hooks compiled in', 'compiled out', 'in / out', 'compiled-out spread'],
    2, zeroCost.map(compareRow));

// Zones: what code outside every zone pays once a zone exists (the zones'
// hook installed for the rest of the process), against the same program
// making no zone (the run-time cost), and against the program without the
// zone code (which adds what that code changes in the compiler's
// inlining), in the same run.
const kind = (a) => ({ process: a.process.split(',')[0] });
const zoneCost = compare([[singleStZones, singleStZonesNone], [singleMtZones, singleMtZonesNone]],
  kind);
const zoneCode = compare([[singleStZones, singleSt], [singleMtZones, singleMt]], kind);
if (zoneCost.length || zoneCode.length)
  section('Zones: cost outside zones, and inside one', [
    'Ratio to plain Asio of the single-file chains outside every zone in a',
    'process that has made a zone (its hook installed), against the same',
    'program when it makes no zone (`--no-zone`: what a zone costs at run',
    'time), and against the program without the zone code (what that code',
    'also changes in the compiler\'s inlining). The hop inside a zone is the',
    '"inside an al::zone" row above.'],
    ['process', 'variant', 'compared with', 'zones in use', 'its ratio', 'in use / it', 'its spread'],
    3, [...zoneCost.map((r) => ['no zone made', r]), ...zoneCode.map((r) => ['no zone code', r])]
      .map(([what, [proc, v, x, y, other]]) =>
        `| ${proc} | ${variantName[v]} | ${what} | ${fmt(x, 2)} | ${fmt(y, 2)} | ${fmt(x / y, 3)} | ${roundSpread(other)} |`));

// Change callbacks: what hops whose contexts bind no watched variable pay
// once one exists, against the process that never made one, in the same
// run; the hop with one bound is the "change callback" row above.
const watchCost = compare([[singleStWatched, singleSt], [singleMtWatched, singleMt]], (a, b) => b);
if (watchCost.length)
  section('Change callbacks: cost for contexts without one', [
    'Ratio to plain Asio of the single-file chains in a process that has made',
    'a variable with a change callback (none of these chains binds it), and in',
    'one that never has; the hop with it bound, calling it twice a hop, is the',
    '"with a change callback" row above.'],
    ['process', 'variant', 'callback exists', 'none ever', 'exists / none', 'none-ever spread'],
    2, watchCost.map(compareRow));

// The off switch: at run time (al::set_enabled(false)) and compiled out
// (BOOST_ASYNC_LOCAL_DISABLE), against plain Asio in the same rounds.
const offRows = [];
for (const [r, d] of [[singleSt, singleStDisabled], [singleMt, singleMtDisabled]]) {
  if (r?.variants.al_1_off)
    offRows.push([r.process, 'switched off at run time, 1 variable "bound"', r.variants.al_1_off]);
  if (d)
    for (const v of ['al_empty', 'al_1', 'al_8'])
      offRows.push([d.process, `compiled out, ${variantName[v].replace('al::propagating_executor, ', '')}`,
        d.variants[v]]);
}
if (offRows.length)
  section('The off switch', [
    'Ratio to plain Asio of the single-file chains with propagation switched',
    'off at run time (`al::set_enabled(false)`: the chain runs in the empty',
    'context), and with the library compiled out (`BOOST_ASYNC_LOCAL_DISABLE`:',
    'executors pass functions straight through), each against plain Asio in',
    'the same rounds.'],
    ['process', 'chain', 'ratio to plain', 'spread over rounds'], 2,
    offRows.map(([proc, label, x]) => `| ${proc} | ${label} | ${fmt(x?.ratio, 2)} | ${roundSpread(x)} |`));

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
  ['Beast throughput with IDs / without', httpRatio, '>=', 0.97],
];
for (const r of [singleSt, singleMt].filter(Boolean))
  for (const [v, label, target] of [['al_empty', 'empty context', 0.98],
      ['al_1', '1 variable bound', 0.95], ['al_8', '8 variables bound', 0.93]])
    targets.push([`${label}, one translation unit, ${r.process}`, r.variants[v]?.ratio, '>=', target]);
targets.push(['al::bind_snapshot on a plain executor, 1 bound', ratio('post', 'bind_1'), '>=', 0.85]);
// Hooks cost nothing while none is installed: within 2 % of the build
// without them, variant by variant.
for (const [proc, v, a, b] of zeroCost)
  targets.push([`hooks compiled in / out, ${variantName[v].replace('al::propagating_executor, ', '')}, ${proc}`, a / b, '>=', 0.98]);
for (const v of ['al_empty', 'al_1', 'al_8'])
  targets.push([`strand chain, ${variantName[v].replace('al::propagating_executor, ', '')}`, ratio('strand', v), '>=', 0.97]);
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
