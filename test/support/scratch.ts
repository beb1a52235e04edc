import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A scratch folder with the given files. `prefix` names it: a test whose error messages quote
 * the folder, against the test credentials, needs one that holds no run of them (`oq-test-`
 * holds `oq-tes`, from the username `oq-tester`, and a quoted path with it is withheld).
 */
export function scratch(files: Record<string, string>, prefix = "oq-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
