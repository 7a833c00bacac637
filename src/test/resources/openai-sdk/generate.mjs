// Runs the official OpenAI SDK against imagefn as a user would: only baseURL and apiKey change.
// Prints one JSON object with what each call returned or threw; OpenAiSdkTest checks it.
import OpenAI from "openai";

const baseURL = process.env.IMAGEFN_BASE_URL;
const apiKey = process.env.IMAGEFN_TOKEN;
const client = new OpenAI({ baseURL, apiKey });
const out = {};

async function attempt(name, call) {
  try {
    out[name] = { ok: await call() };
  } catch (e) {
    out[name] = { error: { name: e.constructor.name, status: e.status ?? null, code: e.code ?? null,
      type: e.type ?? null, param: e.param ?? null, message: e.message } };
  }
}

await attempt("url", () => client.images.generate({ model: "dall-e-3", prompt: "a lighthouse at dusk",
  size: "1792x1024", response_format: "url" }));
await attempt("b64", () => client.images.generate({ prompt: "two cats", n: 2, size: "1024x1024",
  response_format: "b64_json", quality: "hd", idempotencyKey: "sdk-two-cats" }));
await attempt("extensions", () => client.images.generate({ prompt: "a wide valley", response_format: "url",
  model: "gemini-nano-banana-2.1", aspectRatio: "21:9", imageSize: "2K", metadata: { project: "sdk" } }));
await attempt("badSize", () => client.images.generate({ prompt: "p", size: "huge" }));
await attempt("blocked", () => client.images.generate({ prompt: "nope [stand-in:blocked]" }));
// The SDK retries 5xx twice by default; a paid failure says x-should-retry: false, so it must not.
await attempt("paidFailure", () => client.images.generate({ prompt: "empty [stand-in:no-image]" }));
await attempt("wrongKey", () => new OpenAI({ baseURL, apiKey: "sk-not-the-token", maxRetries: 0 })
  .images.generate({ prompt: "p" }));

console.log(JSON.stringify(out));
