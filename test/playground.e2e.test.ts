import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plan } from "../src/compile.js";
import { playgroundFileName } from "../src/playground/analysis.js";
import { sandboxDefaults, sandboxCustomFields } from "../src/sandbox/data.js";
import { oqBin } from "./support/cli.js";
import { oq } from "./support/oqInProcess.js";
import { sandboxEnv, testSandbox } from "./support/sandbox.js";
import { scratch } from "./support/scratch.js";

/*
 * The playground in a real browser: playwright-core drives Debian's Chromium (headless, one
 * launch for the file) against `oq playground --port 0` and against the page opened from disk,
 * and holds each pane to the command it stands for (`oq check`, `oq compile`, `oq plan --json`,
 * `oq run` against the sandbox). .ci/run installs chromium; under CI a missing one fails the
 * test rather than skipping it. The screenshot is kept in out/playground.png (docs/playground.png
 * is a copy of one, for the README).
 */

const chromiumPath = "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);
const required = process.env["CI"] === "true";
const root = new URL("../", import.meta.url).pathname;
const pageFile = join(root, "dist/playground/index.html");

const now = "2024-06-01T00:00:00Z";
const nowSeconds = Date.parse(now) / 1000;
const designQuery = 'email ends "gmail.com" and opens >= 3 during 30d select email, opens';
const mixedQuery = 'email ends "gmail.com" and opens >= 3 or clicks >= 2 during 30d select email, opens';

let browser: Browser;
let server: ChildProcess;
let origin: string;
/** Whatever a page said in its console as an error, threw, or asked for. */
const errors: string[] = [];
const requests: string[] = [];

function watched(page: Page): Page {
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("request", (request) => requests.push(request.url()));
  return page;
}

function region(page: Page, name: string) {
  return page.getByRole("region", { name, exact: true });
}

/** Replaces the query; the panes update before the browser's next task (a short query's at once). */
async function setQuery(page: Page, text: string): Promise<void> {
  const editor = page.getByRole("textbox", { name: "Query" });
  await editor.click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
  // The editor draws only the lines in view; the page says the length of the text its panes show.
  await page.waitForFunction(
    (length) => document.body.dataset["shownLength"] === String(length),
    text.length,
  );
}

/** What the query file gives the command `args` (in process), with the page's name for it and clock. */
async function oqOn(text: string, args: string[], env: Record<string, string> = {}) {
  const dir = scratch({ [playgroundFileName]: text });
  return { dir, run: await oq([...args, playgroundFileName, "--now", now], { cwd: dir, env }) };
}

async function sampleRows(page: Page): Promise<{ count: number; rows: string[][] }> {
  const pane = region(page, "Sample contacts");
  const count = Number((await pane.locator("p").first().innerText()).split(" ")[0]!.replace(/,/g, ""));
  const rows = await pane
    .locator("tbody tr")
    .evaluateAll((trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")),
    );
  return { count, rows };
}

describe("the playground in a browser", () => {
  it.runIf(required && !hasChromium)("has Chromium (CI runs the browser test)", () => {
    expect(hasChromium, `${chromiumPath} is missing: .ci/run installs Debian's chromium`).toBe(true);
  });

  describe.runIf(hasChromium)("with Chromium", () => {
    beforeAll(async () => {
      server = spawn(process.execPath, [oqBin, "playground", "--port", "0"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      origin = await new Promise<string>((resolve, reject) => {
        let said = "";
        server.stdout!.on("data", (chunk: Buffer) => {
          said += chunk.toString();
          const url = /http:\/\/127\.0\.0\.1:\d+/.exec(said);
          if (url) resolve(url[0]);
        });
        server.once("exit", (code) => reject(new Error(`oq playground exited (${code}): ${said}`)));
      });
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      });
    });

    afterAll(async () => {
      await browser?.close();
      if (server && server.exitCode === null) {
        const exited = new Promise<number | null>((resolve) => server.once("exit", resolve));
        server.kill("SIGINT");
        // Ctrl-C stops it cleanly: exit 0.
        expect(await exited).toBe(0);
      }
    });

    it("oq playground serves the page's files and nothing else; on a busy port it says so, exit 1", async () => {
      const page = await fetch(`${origin}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toBe(readFileSync(pageFile, "utf8"));
      for (const path of ["/../package.json", "/%2e%2e/package.json", "/src/cli/oq.ts", "/dist/"])
        expect((await fetch(`${origin}${path}`)).status, path).toBe(404);
      expect((await fetch(`${origin}/`, { method: "POST" })).status).toBe(405);
      const port = new URL(origin).port;
      const busy = await oq(["playground", "--port", port]);
      expect(busy.status).toBe(1);
      expect(busy.stderr).toBe(
        `oq: port ${port} is in use; choose another with --port N, or --port 0 for any free port\n`,
      );
    });

    it("served by oq playground: the panes agree with oq check, compile, plan and run, and the share link round-trips", async () => {
      const page = watched(await browser.newPage({ viewport: { width: 1200, height: 900 } }));
      await page.goto(`${origin}/`);
      await page.getByLabel("now").fill(now);

      // The design query: the request body oq compile prints for the same clock, its words, its contacts.
      await setQuery(page, designQuery);
      const compiled = await oqOn(designQuery, ["compile"]);
      expect(compiled.run.status).toBe(0);
      expect(await region(page, "Request body").locator("pre").innerText()).toBe(
        compiled.run.stdout.trimEnd(),
      );
      const explained = await oqOn(designQuery, ["explain"]);
      expect(await region(page, "Explanation").locator("p").innerText()).toBe(explained.run.stdout.trimEnd());
      expect(await region(page, "Problems").innerText()).toContain("No problems.");
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: "Copy link" }).focus();
      mkdirSync(join(root, "out"), { recursive: true });
      await page.screenshot({ path: join(root, "out/playground.png") });

      // The sample pane agrees with oq run against oq sandbox, same seed and clock: one report, then a plan.
      const sandbox = await testSandbox({ ...sandboxDefaults, now: nowSeconds });
      try {
        for (const text of [designQuery, mixedQuery]) {
          await setQuery(page, text);
          const { dir, run } = await oqOn(
            text,
            ["run", "--out", "out.csv", "--poll-interval", "20ms"],
            sandboxEnv(sandbox) as Record<string, string>,
          );
          expect(run.status, run.stderr).toBe(0);
          const [, ...csv] = readFileSync(join(dir, "out.csv"), "utf8").trimEnd().split("\r\n");
          const shown = await sampleRows(page);
          expect(shown.count).toBeGreaterThan(0);
          expect(shown.count).toBe(csv.length);
          expect(shown.rows).toEqual(csv.slice(0, 10).map((row) => row.split(",")));
        }
      } finally {
        await sandbox.close();
      }

      // A mixed and/or query shows its plan: exactly what oq plan --json prints, after its words.
      expect(plan(mixedQuery, { now }).plan).toBeDefined();
      const planned = await oqOn(mixedQuery, ["plan", "--json"]);
      const body = await region(page, "Request body").locator("pre").innerText();
      expect(body).toMatch(/^2 reports; the contacts in /);
      expect(body.endsWith(`\n\n${planned.run.stdout.trimEnd()}`)).toBe(true);

      // The typo query: oq check's words; its fix button applies the fix.
      const typo = 'emial ends "gmail.com" during 30d';
      await setQuery(page, typo);
      const checked = await oqOn(typo, ["check"]);
      expect(checked.run.status).toBe(1);
      const problems = region(page, "Problems");
      const [message] = checked.run.stderr.split("\n\n");
      expect(await problems.locator("pre").first().innerText()).toBe(message);
      await expect
        .poll(() => problems.innerText())
        .toContain(checked.run.stderr.trimEnd().split("\n").at(-1)!);
      const fix = plan(typo, { now }).diagnostics[0]!.suggestions[0]!;
      await problems.getByRole("button", { name: fix.message }).click();
      await expect.poll(() => page.locator(".cm-content").innerText()).toBe(typo.replace("emial", "email"));
      await expect.poll(() => problems.innerText()).toContain("No problems.");

      // Completion by field type: after `email `, the operators of text fields.
      await setQuery(page, "email ");
      await page.keyboard.press("Control+Space");
      const options = page.getByRole("listbox").getByRole("option");
      await expect.poll(() => options.count()).toBeGreaterThan(0);
      const offered = await options.allInnerTexts();
      expect(offered).toContain("ends");
      expect(offered).not.toContain("between");
      await page.keyboard.press("Escape");

      // The share link: the query (10 KB of Unicode, several lines), the clock and the schema, in the fragment.
      const schema = JSON.stringify({ fields: { ...sandboxCustomFields, prénom: "string" } }, null, 2);
      // Mostly comments: cheap to check, and all of it must come back.
      let shared = '`prénom` = "Zoë 🎉"\n';
      while (shared.length < 10_240) shared += '# prénom = "Zoë 🎉" 日本語 "quoted" `ticks` & = ? % \\ #\n';
      await page.getByText("Field schema", { exact: true }).click();
      await page.getByLabel("Field schema: paste").fill(schema);
      await page.getByLabel("now").fill("2024-03-04T05:06:07+02:00");
      await setQuery(page, shared);
      await page.getByRole("button", { name: "Copy link" }).click();
      const link = await page.getByLabel("Link").innerText();
      expect(link.startsWith(`${origin}/#q=`)).toBe(true);
      expect(new URL(link).search).toBe("");

      const opened = watched(await browser.newPage());
      await opened.goto(link);
      expect(await opened.getByLabel("now").inputValue()).toBe("2024-03-04T05:06:07+02:00");
      expect(await opened.getByLabel("Field schema: paste").inputValue()).toBe(schema);
      // Everything came back byte for byte: the opened page's own link is the same link.
      await opened.getByRole("button", { name: "Copy link" }).click();
      expect(await opened.getByLabel("Link").innerText()).toBe(link);
      // The schema is in force: prénom is a field, so there is no problem.
      await expect.poll(() => region(opened, "Problems").innerText()).toContain("No problems.");

      // The same page opened from disk works too, link and all.
      await opened.goto(`file://${pageFile}${new URL(link).hash}`);
      await expect.poll(() => region(opened, "Problems").innerText()).toContain("No problems.");
      expect(await opened.getByLabel("now").inputValue()).toBe("2024-03-04T05:06:07+02:00");
      await setQuery(opened, designQuery);
      await expect
        .poll(() => region(opened, "Sample contacts").innerText())
        .toMatch(/^Sample contacts\s+\d+ of the/);

      // Hostile input: a 100 KB line. The panes update once typing pauses, not per keystroke, and
      // the problems are capped.
      const long = "emial > 1 or ".repeat(7_700) + "opens > 1";
      await setQuery(opened, long);
      const capped = region(opened, "Problems");
      expect(await capped.locator(".problem").count()).toBeLessThanOrEqual(51);
      expect(await capped.innerText()).toMatch(/at least \d+ errors|\d{3,} errors/);
      // Eight keystrokes: analysed per keystroke, that is eight updates; once typing pauses, one (a
      // few on a machine so loaded that keystrokes come more than the pause apart; never timed).
      const updates = () => opened.evaluate(() => Number(document.body.dataset["updated"]));
      const before = await updates();
      await opened.keyboard.type("00000000");
      await expect
        .poll(() => opened.evaluate(() => document.body.dataset["shownLength"]))
        .toBe(String(long.length + 8));
      expect((await updates()) - before).toBeLessThan(8);

      // No console or page errors, and no request left the page's origin (or its folder on disk).
      expect(errors).toEqual([]);
      const outside = requests.filter(
        (url) => !url.startsWith(`${origin}/`) && !url.startsWith(`file://${join(root, "dist/playground")}/`),
      );
      expect(outside).toEqual([]);
      expect(requests.some((url) => url.startsWith("file://"))).toBe(true);
      expect(requests.filter((url) => url.startsWith(origin)).length).toBeGreaterThan(0);
    });
  });
});
