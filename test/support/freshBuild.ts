import { execFileSync } from "node:child_process";
import { join } from "node:path";

/*
 * The e2e project's global setup: its tests run the built `oq` (dist/), so dist/ must be built
 * from the source as it is now. The build script knows what it reads and writes
 * (scripts/build.mjs --if-stale): it builds again when any of its sources is newer than the
 * build, so that no test ever runs stale code and passes or fails for it.
 */
const root = new URL("../../", import.meta.url).pathname;

export default function setup(): void {
  execFileSync(process.execPath, [join(root, "scripts/build.mjs"), "--if-stale"], {
    cwd: root,
    stdio: "inherit",
  });
}
