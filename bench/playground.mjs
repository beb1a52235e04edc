// `npm run bench:playground`: the playground's budgets (issue 18), printed and written as
// BENCHMARKS.md's "Playground" section.
//
// 1. Keystroke to updated panes, for the design query, in Debian's Chromium (headless, the page
//    opened from disk): from the key's `keydown` to the frame after the four panes were redrawn
//    (the page counts its redraws in <body data-updated>). Each keystroke changes the request
//    (typing and deleting a digit of `opens >= 3`), so every one compiles, explains and selects
//    the sample contacts again. Medians and the 95th percentile of 40.
// 2. The page's size: index.html and playground.js, gzip (level 6, what servers use) and raw.
// The functions given to page.evaluate and waitForFunction run in the page, with its globals:
/* global document, window, MutationObserver, requestAnimationFrame */
import { readFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { writeBenchmarksSection } from "./benchmarksFile.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const heading = "## Playground";
const designQuery = 'email ends "gmail.com" and opens >= 3 during 30d select email, opens';
const keystrokes = 40;

const files = ["index.html", "playground.js"].map((name) => readFileSync(`${root}dist/playground/${name}`));
const rawKb = files.reduce((sum, file) => sum + file.length, 0) / 1024;
const gzipKb = files.reduce((sum, file) => sum + gzipSync(file, { level: 6 }).length, 0) / 1024;

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const times = [];
try {
  const page = await browser.newPage();
  await page.goto(`file://${root}dist/playground/index.html`);
  await page.getByLabel("now").fill("2024-06-01T00:00:00Z");
  await page.getByRole("textbox", { name: "Query" }).click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.insertText(designQuery);
  await page.waitForFunction(
    (length) => document.body.dataset.shownLength === String(length),
    designQuery.length,
  );
  // The cursor after the 3 of `opens >= 3`.
  await page.keyboard.press("Home");
  for (let i = 0; i < designQuery.indexOf(">= 3") + 4; i++) await page.keyboard.press("ArrowRight");
  // Installed once: each keydown's time, and the time of the frame after the panes' next redraw.
  await page.evaluate(() => {
    window.keystrokeTimes = [];
    let pressed = 0;
    document.addEventListener("keydown", () => (pressed = performance.now()), { capture: true });
    new MutationObserver(() =>
      requestAnimationFrame(() => setTimeout(() => window.keystrokeTimes.push(performance.now() - pressed))),
    ).observe(document.body, { attributes: true, attributeFilter: ["data-updated"] });
  });
  for (let i = 0; i < keystrokes; i++) {
    await page.keyboard.press(i % 2 === 0 ? "1" : "Backspace");
    await page.waitForFunction((count) => window.keystrokeTimes.length >= count, i + 1, { timeout: 10_000 });
  }
  times.push(...(await page.evaluate(() => window.keystrokeTimes)));
} finally {
  await browser.close();
}

const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
const p95 = sorted[Math.floor(sorted.length * 0.95)];
const date = new Date().toISOString().slice(0, 10);
const load = os
  .loadavg()
  .map((value) => value.toFixed(1))
  .join(", ");
const machine = `Node ${process.version}, ${os.cpus().length} cores, load average ${load} when it ended`;
const section =
  `${heading}\n\nThe latest \`npm run bench:playground\` (${date}; ${machine}; Debian's Chromium, headless, the page opened from disk).\n\n` +
  `| benchmark | playground | baseline (same run) | ratio | target | met |\n| --- | --- | --- | --- | --- | --- |\n` +
  `| keystroke to updated panes, the design query (median of ${keystrokes}; 95th percentile) | ${median.toFixed(1)} ms (${p95.toFixed(1)} ms) | (absolute) |  | under 50 ms | ${median < 50 ? "yes" : "**no**"} |\n` +
  `| the page: index.html and playground.js, gzip | ${gzipKb.toFixed(1)} KB (raw ${rawKb.toFixed(0)} KB) | (absolute) |  | under 250 KB | ${gzipKb < 250 ? "yes" : "**no**"} |\n`;
process.stdout.write(`${section}\n`);
writeBenchmarksSection(heading, section);
