/// <reference lib="dom" />
import { EditorView } from "@codemirror/view";
import { analyse, type Analysis, type PlaygroundSettings } from "./analysis.js";
import { applyFix, editorExtensions, showAnalysis } from "./editor.js";
import { SampleContactSource, sampleCountText } from "./sampleContacts.js";
import { readShareFragment, shareFragment } from "./shareLink.js";

/*
 * The playground page (index.html): the editor, the controls and the four panes, wired to
 * analyse(). Everything happens in the page: it makes no request (its Content-Security-Policy
 * forbids any), so it works opened from disk as from `oq playground`.
 */

/** The query a first visit starts with: the design query of the language. */
const firstQuery = 'email ends "gmail.com" and opens >= 3 during 30d\nselect email, opens\n';

/** Past this many characters, the panes update once typing pauses, not on every keystroke. */
const idleUpdateLength = 20_000;
const idleDelayMs = 300;

function element<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

const nowInput = element<HTMLInputElement>("now");
const schemaInput = element<HTMLTextAreaElement>("schema");
const schemaFile = element<HTMLInputElement>("schema-file");
const linkOutput = element<HTMLOutputElement>("link");
const problemsPane = element("problems");
const bodyPane = element("body");
const explanationPane = element("explanation");
const samplesPane = element("samples");

let latest: Analysis | undefined;
const contacts = new SampleContactSource();

function settings(): PlaygroundSettings {
  return { now: nowInput.value, schema: schemaInput.value };
}

/** The current minute, as the "now" control shows it (a link then keeps the clock it was made with). */
function currentMinute(): string {
  return `${new Date().toISOString().slice(0, 16)}:00Z`;
}

function make<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  if (text !== undefined) made.textContent = text;
  if (className) made.className = className;
  return made;
}

function renderProblems(analysis: Analysis): void {
  const items: HTMLElement[] = [];
  for (const problem of analysis.settingsProblems) items.push(make("p", problem, "error"));
  for (const problem of analysis.problems) {
    const item = make("div", undefined, `problem ${problem.severity}`);
    item.append(make("pre", problem.text));
    for (const fix of problem.fixes) {
      const button = make("button", fix.title);
      button.type = "button";
      button.addEventListener("click", () => applyFix(view, fix));
      item.append(button);
    }
    items.push(item);
  }
  if (analysis.summary) items.push(make("p", analysis.summary, "summary"));
  if (items.length === 0) items.push(make("p", "No problems.", "quiet"));
  problemsPane.replaceChildren(...items);
}

function renderSamples(analysis: Analysis): void {
  const samples = analysis.samples;
  if (!samples) {
    samplesPane.replaceChildren(make("p", "None until the query has no errors.", "quiet"));
    return;
  }
  if (samples.refused) {
    samplesPane.replaceChildren(
      make(
        "p",
        "oq sandbox refuses this query, as Ongage would (412): oq run against it gets no rows.",
        "error",
      ),
      ...samples.refused.map((reason) => make("p", reason, "error")),
    );
    return;
  }
  const count = make("p", sampleCountText(samples.count));
  count.id = "sample-count";
  const table = make("table");
  const head = make("tr");
  for (const column of samples.columns) head.append(make("th", column));
  table.append(make("thead"), make("tbody"));
  table.tHead!.append(head);
  for (const row of samples.rows) {
    const line = make("tr");
    for (const value of row) line.append(make("td", value));
    table.tBodies[0]!.append(line);
  }
  samplesPane.replaceChildren(count, table);
}

function render(text: string): void {
  let analysis: Analysis;
  try {
    analysis = analyse(text, settings(), contacts);
  } catch (error) {
    // The compiler reports its own failures (OQ999); anything else is said here, not left silent.
    problemsPane.replaceChildren(
      make("p", `oq failed on this text, a bug in oq (please report it): ${String(error)}`, "error"),
    );
    return;
  }
  latest = analysis;
  showAnalysis(view, text, analysis.problems);
  renderProblems(analysis);
  bodyPane.textContent = analysis.body || "None until the query has no errors.";
  explanationPane.textContent = analysis.explanation || "None until the query has no errors.";
  renderSamples(analysis);
  // For automation (the browser test, the benchmark): which text the panes now show, and how often they changed.
  document.body.dataset["shownLength"] = String(text.length);
  document.body.dataset["updated"] = String(Number(document.body.dataset["updated"] ?? 0) + 1);
}

let pending: ReturnType<typeof setTimeout> | undefined;
let queued = false;

/**
 * Updates the panes for the text: once the current event is handled (however many changes it
 * made), or for a long text once typing pauses.
 */
function schedule(text: string): void {
  // The fix buttons hold offsets of the text they were made for: none is clicked on a newer one.
  problemsPane.querySelectorAll("button").forEach((button) => (button.disabled = true));
  if (pending !== undefined) clearTimeout(pending);
  pending = undefined;
  if (text.length > idleUpdateLength) {
    pending = setTimeout(() => {
      pending = undefined;
      render(view.state.doc.toString());
    }, idleDelayMs);
    return;
  }
  if (queued) return;
  queued = true;
  queueMicrotask(() => {
    queued = false;
    // A text that grew long in the same event waits for its pause (already scheduled).
    if (pending === undefined) render(view.state.doc.toString());
  });
}

const view = new EditorView({
  parent: element("editor"),
  doc: firstQuery,
  extensions: editorExtensions(() => latest?.fields, schedule),
});

/** Puts a shared query, its clock and its schema back. */
function restore(fragment: string): boolean {
  const shared = readShareFragment(fragment);
  if (!shared) return false;
  nowInput.value = shared.now;
  schemaInput.value = shared.schema;
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: shared.query } });
  schedule(shared.query);
  return true;
}

function copyLink(): void {
  const fragment = shareFragment({ query: view.state.doc.toString(), ...settings() });
  history.replaceState(null, "", fragment);
  const link = location.href;
  linkOutput.value = link;
  // The clipboard may be refused (a page opened from disk, no permission): the link is shown anyway.
  navigator.clipboard?.writeText(link).then(
    () => (linkOutput.title = "copied"),
    () => (linkOutput.title = "shown here: copy it by hand"),
  );
}

nowInput.addEventListener("input", () => schedule(view.state.doc.toString()));
schemaInput.addEventListener("input", () => schedule(view.state.doc.toString()));
schemaFile.addEventListener("change", () => {
  const file = schemaFile.files?.[0];
  if (!file) return;
  void file.text().then((text) => {
    schemaInput.value = text;
    schedule(view.state.doc.toString());
  });
});
element("copy-link").addEventListener("click", copyLink);
window.addEventListener("hashchange", () => restore(location.hash));

if (!restore(location.hash)) {
  nowInput.value = currentMinute();
  schedule(view.state.doc.toString());
}
