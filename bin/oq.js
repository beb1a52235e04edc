#!/usr/bin/env node
// The command is a bundle (dist/cli/): it loads much faster than chevrotain's many modules.
import { existsSync } from "node:fs";

const bundle = new URL("../dist/cli/cli.js", import.meta.url);
if (!existsSync(bundle)) {
  // In a checkout, or installed from git with scripts turned off (the prepare script builds dist/).
  process.stderr.write(
    "oq: not built (no dist/): in a checkout of oq run `npm run build`; installed from git, reinstall without --ignore-scripts so that oq's prepare script builds it\n",
  );
  // exitCodes.usage (src/app/exitCodes.ts): dist/ is what is missing, so it cannot be imported here;
  // test/package.test.ts keeps the two the same.
  process.exit(2);
}
await import(bundle.href);
