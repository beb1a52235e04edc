import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SourceText } from "../src/diagnostics/source.js";
import { durationUnitOf } from "../src/language/calendarWords.js";
import { durationValue } from "../src/parser/nodes.js";

/*
 * The syntax tree's nodes are made in src/parser/nodes.ts alone, so that the fast parser and
 * the recovering parser cannot build one differently: a node literal (`kind: "Comparison"`)
 * anywhere else in src/parser/ is a second place that builds it.
 */

const parserDirectory = new URL("../src/parser/", import.meta.url);
const read = (file: string) => readFileSync(new URL(file, parserDirectory), "utf8");

/** The node kinds ast.ts declares (`kind: "Query";`). */
const nodeKinds = [...read("ast.ts").matchAll(/^\s*kind: "(\w+)";$/gm)].map((match) => match[1]!);

describe("the syntax tree's node factory", () => {
  it("knows the node kinds", () => {
    expect(nodeKinds).toEqual(expect.arrayContaining(["Query", "Comparison", "Duration", "Flags"]));
  });

  it("is the one place in src/parser/ that builds a node", () => {
    // A property of an object literal, not a type (`kind: "And" | "Or"`, `kind: "Query";`).
    const literal = new RegExp(`\\bkind: "(${nodeKinds.join("|")})"(?=\\s*[,}\\n])`, "g");
    const elsewhere = readdirSync(parserDirectory)
      .filter((file) => file.endsWith(".ts") && file !== "nodes.ts" && file !== "ast.ts")
      .flatMap((file) => [...read(file).matchAll(literal)].map((match) => `${file}: ${match[0]}`));
    expect(elsewhere).toEqual([]);
    // Each kind is built there (an unused kind would mean a parser builds it some other way).
    const factory = read("nodes.ts");
    for (const kind of nodeKinds)
      expect(factory, kind).toMatch(new RegExp(`kind: (?:"\\w+" \\| )*"${kind}"`));
  });
});

describe("a duration's amount and unit", () => {
  it("are read from the text as the pattern ^(\\d+)\\s*([A-Za-z]+)$ reads them, glued or apart", () => {
    const span = new SourceText("").spanOf(0, 0);
    const raws = [
      "30d",
      "12H",
      "3mo",
      "007Days",
      "3 months",
      "2\tw",
      "1y2",
      "30dé",
      "d",
      "30",
      "30d ",
      "3\u00a0mo",
    ];
    for (const raw of raws) {
      const [, amount = "0", written = ""] = /^(\d+)\s*([A-Za-z]+)$/.exec(raw) ?? [];
      const node = durationValue(raw, span);
      expect([node.amount, node.unit], raw).toEqual([Number(amount), durationUnitOf(written) ?? written]);
    }
  });
});
