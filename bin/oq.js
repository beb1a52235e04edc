#!/usr/bin/env node
// The command is a bundle (dist/cli.js): one file loads much faster than chevrotain's modules.
import { existsSync } from "node:fs";

const bundle = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write("oq: not built yet; run `npm run build` first\n");
  process.exit(2);
}
await import(bundle.href);
