// Produces the expected Qwen3 tokenizer outputs that R1Actors' tokenizer tests pin, using an independent
// implementation (@lenml/tokenizers, a transformers.js fork) on the same tokenizer files.
// usage: node qwen_tokenizer_reference.mjs MODELS_DIR CASES_JSON > expected.json
import { TokenizerLoader } from "@lenml/tokenizers";
import { Template } from "@huggingface/jinja";
import fs from "fs";
const dir = process.argv[2];
const tokenizer = TokenizerLoader.fromPreTrained({
  tokenizerJSON: JSON.parse(fs.readFileSync(`${dir}/tokenizer.json`, "utf8")),
  tokenizerConfig: JSON.parse(fs.readFileSync(`${dir}/tokenizer_config.json`, "utf8")),
});
const cases = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const texts = cases.texts.map(t => {
  const ids = tokenizer.encode(t, { add_special_tokens: false });
  return { text: t, ids, decoded: tokenizer.decode(ids), decoded_skip: tokenizer.decode(ids, { skip_special_tokens: true }) };
});
// The chat template is rendered with @huggingface/jinja (the engine transformers.js uses) directly: the
// tokenizer package bundles an older copy that cannot parse Qwen3's template (messages[::-1]).
const config = JSON.parse(fs.readFileSync(`${dir}/tokenizer_config.json`, "utf8"));
const template = new Template(config.chat_template);
const chats = cases.chats.map(c => ({
  ...c,
  rendered: template.render({ messages: c.messages, add_generation_prompt: c.add_generation_prompt,
    ...(c.enable_thinking === undefined ? {} : { enable_thinking: c.enable_thinking }) }),
}));
console.log(JSON.stringify({ texts, chats }, null, 1));
