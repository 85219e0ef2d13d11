// Renders every ../render/*.json (an object: messages, tools, add_generation_prompt, enable_thinking, other
// template variables) with the Qwen3 chat template through @huggingface/jinja, the reference renderer that
// the Go tests compare against, and writes the result beside it as *.txt.
//
//   cd llm/chat/testdata/gen && npm install && node gen.mjs [path/to/tokenizer_config.json]
import { Template } from "@huggingface/jinja";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const configPath = process.argv[2] ??
  path.join(here, "../../../../../shared/testdata/qwen3-tokenizer/tokenizer_config.json");
const template = new Template(JSON.parse(fs.readFileSync(configPath, "utf8")).chat_template);

const dir = path.join(here, "../render");
const names = fs.readdirSync(dir).filter((n) => n.endsWith(".json")).sort();
for (const name of names) {
  const vars = JSON.parse(fs.readFileSync(path.join(dir, name), "utf8"));
  const out = template.render(vars);
  fs.writeFileSync(path.join(dir, name.replace(/\.json$/, ".txt")), out);
  console.log(`${name}: ${out.length} chars`);
}
