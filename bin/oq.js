#!/usr/bin/env node
// The command is a bundle (dist/cli/): it loads much faster than chevrotain's many modules.
import { existsSync } from "node:fs";

const bundle = new URL("../dist/cli/cli.js", import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write("oq: not built yet; run `npm run build` first\n");
  process.exit(2);
}
await import(bundle.href);
