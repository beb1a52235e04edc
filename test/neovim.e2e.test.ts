import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { oqBin } from "./support/cli.js";

/*
 * A real editor: headless Neovim (Debian's, 0.7) drives `oq lsp` with its own LSP client
 * (test/fixtures/neovim/quickfix.lua). .ci/run installs neovim; under CI a missing nvim fails
 * the test rather than skipping it.
 */

const hasNvim = spawnSync("nvim", ["--version"]).status === 0;
const required = process.env["CI"] === "true";
const script = new URL("fixtures/neovim/quickfix.lua", import.meta.url).pathname;

describe("Neovim", () => {
  it.runIf(required && !hasNvim)("is installed (CI runs the editor test)", () => {
    expect(hasNvim, "nvim is not installed: .ci/run installs Debian's neovim").toBe(true);
  });

  it.runIf(hasNvim)(
    "shows oq's diagnostic, applies its quick fix, and the diagnostic goes away",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "oq-nvim-"));
      try {
        writeFileSync(join(dir, "query.oq"), 'emial ends "gmail.com"\n');
        const out = join(dir, "out.json");
        const run = spawnSync(
          "nvim",
          ["--headless", "--clean", "-n", "query.oq", "-c", `luafile ${script}`],
          {
            cwd: dir,
            env: { ...process.env, OQ_NVIM_OUT: out, OQ_NVIM_NODE: process.execPath, OQ_NVIM_OQ: oqBin },
            encoding: "utf8",
            timeout: 60_000,
          },
        );
        expect(run.status, run.stdout + run.stderr).toBe(0);
        const seen = JSON.parse(readFileSync(out, "utf8")) as {
          error?: string;
          before: { code: string; lnum: number; col: number }[];
          after: unknown[];
          text: string[];
        };
        expect(seen.error).toBeUndefined();
        expect(seen.before).toEqual([expect.objectContaining({ code: "OQ212", lnum: 0, col: 0 })]);
        expect(seen.after).toEqual([]);
        expect(seen.text).toEqual(['email ends "gmail.com"']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    90_000,
  );
});
