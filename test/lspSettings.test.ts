import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findingsFileText } from "../src/app/findingsFile.js";
import { compile } from "../src/index.js";
import { documentSettings } from "../src/lsp/settings.js";
import { scratch } from "./support/scratch.js";

/*
 * The editor checks a query with the settings `oq check` uses for a file at that path: the
 * account's readings too (oq.findings.json of the list ONGAGE_LIST_ID names), so that a query
 * the account would answer wrongly is marked in the editor as it is on the command line.
 */

const query = 'email ends "gmail.com" or opens > 3\n';

describe("oq lsp's settings of a document", () => {
  it("take the findings of the list the environment names, as oq check does", async () => {
    const folder = scratch({ "q.oq": query, "oq.config.json": "{}\n" });
    writeFileSync(join(folder, "oq.findings.json"), findingsFileText({ "forced-and": "holds" }, "7"));
    const settings = await documentSettings(join(folder, "q.oq"), {
      env: { ONGAGE_LIST_ID: "7" },
      cwd: folder,
    });
    expect(settings.problems).toEqual([]);
    expect(settings.options.findings).toEqual({ "forced-and": "holds" });
    expect(compile(query, settings.options).diagnostics.map((d) => d.code)).toContain("OQ243");
  });

  it("ignore another list's findings and say so, as oq check does", async () => {
    const folder = scratch({ "q.oq": query, "oq.config.json": "{}\n" });
    writeFileSync(join(folder, "oq.findings.json"), findingsFileText({ "forced-and": "holds" }, "7"));
    const settings = await documentSettings(join(folder, "q.oq"), {
      env: { ONGAGE_LIST_ID: "8" },
      cwd: folder,
    });
    expect(settings.options.findings).toBeUndefined();
    expect(settings.problems).toEqual([
      expect.stringMatching(/ignoring .*oq\.findings\.json: its findings are of list 7, not of list 8/),
    ]);
    expect(compile(query, settings.options).diagnostics.map((d) => d.code)).not.toContain("OQ243");
  });
});
