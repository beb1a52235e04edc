import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as oniguruma from "vscode-oniguruma";
import * as textmate from "vscode-textmate";
import { beforeAll, describe, expect, it } from "vitest";
import { classifyTokens, type TokenClass } from "../src/assist/tokenClasses.js";
import { goldenDir } from "./support/golden.js";

/*
 * editors/oq.tmLanguage.json is generated from the lexer (scripts/tmLanguage.mjs): it is what a
 * fresh generation gives, and under the engine VS Code uses (vscode-textmate with
 * vscode-oniguruma) every token the lexer reads in every golden query gets its class's scope.
 */

const root = new URL("..", import.meta.url).pathname;

/** The scope each token class of src/assist/tokenClasses.ts gets (the generator's comment lists them). */
const scopeOf: Readonly<Record<TokenClass, string>> = {
  keyword: "keyword.control.oq",
  field: "variable.other.field",
  parameter: "variable.parameter.oq",
  string: "string.",
  value: "constant.",
  operator: "keyword.operator.",
};

/**
 * Where a line-by-line regular grammar cannot follow the lexer, with why. Each is
 * "file: token text"; the test fails on one that no longer differs, so the list stays exact.
 */
const exceptions: readonly string[] = [
  // Dates as people type them: the lexer reads one date (and reports it, OQ129, lexer/foreignDates.ts);
  // the grammar colours the pieces.
  "invalid/date-day-month-name.oq: 1 Nov 2026",
  "invalid/date-not-a-day.oq: 31/02/1990",
  "invalid/date-us-or-european.oq: 11/01/2026",
  // Number and duration typos: the lexer reports them (OQ120, OQ126, OQ127) and reads the pieces
  // as one value (lexer/numberTypos.ts); the grammar colours the pieces.
  "invalid/duration-decimal-comma.oq: 1,5d",
  "invalid/duration-exponent.oq: 1e3d",
  "invalid/duration-fraction-no-fix.oq: 1.5mo",
  "invalid/duration-fraction.oq: 1.5d",
  "invalid/duration-negative.oq: -3d",
  // Other languages' operators: read as oq's (an operator), coloured as what they are (invalid).
  "invalid/foreign-arrow-operators.oq: =>",
  "invalid/foreign-arrow-operators.oq: =<",
  "invalid/foreign-arrow-operators.oq: =!",
  "invalid/foreign-arrow-operators.oq: ≥",
  "invalid/foreign-operators.oq: ==",
  "invalid/foreign-operators.oq: &&",
  "invalid/foreign-operators.oq: ||",
  "invalid/foreign-single-ampersand.oq: &",
  "invalid/number-digit-separators.oq: 1_000",
  "invalid/number-separator-doubled.oq: 1__0",
  "invalid/number-separator-fraction.oq: 1_000.5",
  "invalid/number-separator-trailing.oq: 1_",
  "invalid/relative-date-exponent.oq: 1e3d",
  "invalid/relative-date-fraction.oq: 1.5d",
  "invalid/relative-date-negative.oq: -3d",
  // `3 wk`: a word that is no unit, apart from its number; the lexer reads on as one duration
  // (the checker reports the unit), the grammar as a number and a field.
  "invalid/relative-date-unknown-unit-apart.oq: 3 wk",
  "invalid/sql-not-equals.oq: <>",
  // A name with letters beyond ASCII: the lexer joins the pieces (and reports it); the grammar
  // colours the ASCII pieces only.
  "invalid/unicode-field-select.oq: prénom",
  "invalid/unicode-field-select.oq: prénom",
  "invalid/unicode-field.oq: prénom",
];

let grammar: textmate.IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(join(root, "node_modules/vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: (scopeName: string) =>
      Promise.resolve(
        scopeName === "source.oq"
          ? textmate.parseRawGrammar(
              readFileSync(join(root, "editors/oq.tmLanguage.json"), "utf8"),
              "oq.tmLanguage.json",
            )
          : null,
      ),
  });
  grammar = (await registry.loadGrammar("source.oq"))!;
});

/** The scopes at each UTF-16 offset of a text, line by line as an editor tokenizes it. */
function scopesAt(text: string): (readonly string[])[] {
  const scopes: (readonly string[])[] = [];
  let state = textmate.INITIAL;
  let offset = 0;
  for (const line of text.split(/(\r\n|\r|\n)/)) {
    if (/^(\r\n|\r|\n)$/.test(line)) {
      for (let i = 0; i < line.length; i++) scopes[offset + i] = [];
      offset += line.length;
      continue;
    }
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens)
      for (let i = token.startIndex; i < Math.min(token.endIndex, line.length); i++)
        scopes[offset + i] = token.scopes;
    state = result.ruleStack;
    offset += line.length;
  }
  return scopes;
}

describe("the TextMate grammar", () => {
  it("is what scripts/tmLanguage.mjs generates from the lexer", () => {
    const generated = spawnSync(process.execPath, [join(root, "scripts/tmLanguage.mjs"), "--print"], {
      encoding: "utf8",
    });
    expect(generated.status, generated.stderr).toBe(0);
    for (const [path, text] of Object.entries(JSON.parse(generated.stdout) as Record<string, string>))
      expect(readFileSync(join(root, path), "utf8"), `${path}: run npm run grammar:update`).toBe(text);
  });

  it("gives every token of every golden query its class's scope", () => {
    const differing: string[] = [];
    let tokens = 0;
    for (const folder of ["valid", "invalid", "explain", "plans"]) {
      const dir = join(goldenDir, folder);
      for (const file of readdirSync(dir).filter((name) => name.endsWith(".oq"))) {
        const text = readFileSync(join(dir, file), "utf8");
        const scopes = scopesAt(text);
        for (const token of classifyTokens(text)) {
          tokens++;
          const wanted = scopeOf[token.tokenClass];
          for (let i = token.start; i < token.start + token.length; i++) {
            if (!(scopes[i] ?? []).some((scope) => scope.startsWith(wanted))) {
              differing.push(`${folder}/${file}: ${text.slice(token.start, token.start + token.length)}`);
              break;
            }
          }
        }
      }
    }
    expect(tokens).toBeGreaterThan(2500);
    expect(differing).toEqual(exceptions);
  });

  it("colours comments, and what the lexer reports and reads on as invalid", () => {
    const scopes = scopesAt("opens == 1 # a comment\nemail = 'x' // theirs");
    const text = "opens == 1 # a comment\nemail = 'x' // theirs";
    const at = (word: string) => scopes[text.indexOf(word)]!.at(-1);
    expect(at("# a")).toBe("comment.line.number-sign.oq");
    expect(at("==")).toBe("invalid.illegal.operator.oq");
    expect(at("'x'")).toBe("invalid.illegal.quote.oq");
    expect(at("// theirs")).toBe("invalid.illegal.comment.oq");
  });
});
