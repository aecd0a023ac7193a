// The Node.js peer: setImmediate chains and await chains, with and without
// AsyncLocalStorage, reading the request ID in every hop. Prints JSON with
// nanoseconds per hop (the median of several rounds).
//
// Copyright (c) 2026 The Boost.AsyncLocal authors
// Distributed under the Boost Software License, Version 1.0.

import { AsyncLocalStorage } from 'node:async_hooks';

const als = new AsyncLocalStorage();
const hops = 200000;
const id = 'req-0';

function immediateChain(useAls) {
  return new Promise((resolve) => {
    let left = hops;
    let sum = 0;
    const hop = () => {
      sum += useAls ? als.getStore().length : id.length;
      if (--left > 0) setImmediate(hop);
      else resolve(sum);
    };
    if (useAls) als.run(id, () => setImmediate(hop));
    else setImmediate(hop);
  });
}

function awaitChain(useAls) {
  const body = async () => {
    let sum = 0;
    for (let i = 0; i < hops; ++i) {
      await null;
      sum += useAls ? als.getStore().length : id.length;
    }
    return sum;
  };
  return useAls ? als.run(id, body) : body();
}

async function measure(chain, useAls) {
  const rounds = [];
  await chain(useAls); // warm-up
  for (let r = 0; r < 7; ++r) {
    const start = process.hrtime.bigint();
    await chain(useAls);
    rounds.push(Number(process.hrtime.bigint() - start) / hops);
  }
  rounds.sort((a, b) => a - b);
  return rounds[3];
}

const result = { node: process.version };
// Alternate the variants so that drift hits both alike.
for (const [name, chain] of [['immediate', immediateChain], ['await', awaitChain]]) {
  result[`${name}_plain`] = await measure(chain, false);
  result[`${name}_als`] = await measure(chain, true);
}
console.log(JSON.stringify(result));
