import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile, explain, format, parse, type CompileResult } from "../src/index.js";
import type * as ast from "../src/parser/ast.js";
import { compileSettingsFor } from "../src/app/compileSettings.js";
import { customFields, propertyNow, queryArb, typeOf } from "./support/arbitraries.js";
import { oq } from "./support/oqInProcess.js";
import { scratch } from "./support/scratch.js";

/*
 * `$name` parameters (grammar.md "Parameters"): binding a value is writing its literal, a value
 * never changes the structure of a query, and the command line's ways of giving values.
 */

const runs = Number(process.env["OQ_PROPERTY_RUNS"] ?? 300);
const options = { now: propertyNow, fields: customFields, fileName: "q.oq" };
const hostile = 'gmail.com" or opens > 0 or email ends "';

/** A literal of a query, where it is, and the value that binds a parameter to the same literal. */
interface Candidate {
  start: number;
  end: number;
  value: string | number;
}

/**
 * The literals whose value a parameter can carry exactly: text (that does not read as another
 * kind of literal), numbers in their one spelling, and dates, relative dates and durations where
 * one is expected (elsewhere their text is text, by design).
 */
function candidates(query: ast.Query, text: string): Candidate[] {
  const found: Candidate[] = [];
  const slice = (value: ast.Value) => text.slice(value.span.start.offset, value.span.end.offset);
  const add = (value: ast.Value, datePlace: boolean) => {
    const at = { start: value.span.start.offset, end: value.span.end.offset };
    if (value.kind === "String" && !/^(?:-?\d|today$|yesterday$)/i.test(value.value))
      found.push({ ...at, value: value.value });
    else if (value.kind === "Number" && String(value.value) === value.raw)
      found.push({ ...at, value: value.value });
    else if ((value.kind === "Date" || value.kind === "RelativeDate") && datePlace)
      found.push({ ...at, value: slice(value) });
  };
  for (const clause of query.clauses) {
    if (clause.kind === "Title") add(clause.title, false);
    if (clause.kind === "Between") [clause.from, clause.to].forEach((value) => add(value, true));
    if (clause.kind === "During" && clause.duration.kind === "Duration")
      found.push({
        start: clause.duration.span.start.offset,
        end: clause.duration.span.end.offset,
        value: slice(clause.duration),
      });
  }
  const visit = (node: ast.Condition): void => {
    switch (node.kind) {
      case "And":
      case "Or":
        node.operands.forEach(visit);
        return;
      case "Not":
        visit(node.operand);
        return;
      case "Comparison":
        for (const value of node.values) add(value, typeOf(node.field.name) === "date");
        return;
      case "SegmentTest":
      case "BehavioralTest":
        for (const value of node.ids) add(value, false);
        return;
      default:
    }
  };
  if (query.condition) visit(query.condition);
  return found;
}

/** The diagnostics without what only a parameter changes: where it is, and the hint naming it. */
function comparable(result: CompileResult) {
  return result.diagnostics.map(({ code, severity, message, label, hints }) => ({
    code,
    severity,
    message,
    label,
    hints: hints.filter((hint) => !hint.startsWith("$p is ") && !hint.startsWith("for the value of $p: ")),
  }));
}

describe("binding a parameter is writing its literal", () => {
  it("gives the same payload and the same diagnostics, for generated queries", async () => {
    let bound = 0;
    fc.assert(
      fc.property(queryArb, fc.nat(), (text, pick) => {
        const { ast: query } = parse(text);
        if (!query) return;
        const found = candidates(query, text);
        if (found.length === 0) return;
        const { start, end, value } = found[pick % found.length]!;
        const withParameter = `${text.slice(0, start)}$p${text.slice(end)}`;
        const literal = compile(text, options);
        const parameter = compile(withParameter, { ...options, params: { p: value } });
        bound++;
        expect(parameter.ok, withParameter).toBe(literal.ok);
        expect(parameter.payload, withParameter).toEqual(literal.payload);
        expect(comparable(parameter), withParameter).toEqual(comparable(literal));
      }),
      { numRuns: runs },
    );
    // The property was about something: most generated queries have a literal to replace.
    expect(bound).toBeGreaterThan(runs / 2);
  });

  it("and a default is the literal written in the declaration", async () => {
    const written = compile('email ends "gmail.com" and opens >= 3', options);
    const declared = compile(
      'param domain = "gmail.com"\nparam n = 3\nemail ends $domain and opens >= $n',
      options,
    );
    expect(declared.diagnostics).toEqual([]);
    expect(declared.payload).toEqual(written.payload);
  });
});

describe("a value never changes the structure of a query", () => {
  it("text that looks like oq stays one value of one criterion", async () => {
    const result = compile("email ends $domain", { ...options, params: { domain: hostile } });
    expect(result.ok).toBe(true);
    expect(result.payload!.filters.criteria).toHaveLength(1);
    expect(result.payload!.filters.criteria[0]).toMatchObject({ field_name: "email", operand: [hostile] });
  });

  it("a list element that looks like a list stays one element", async () => {
    const result = compile("city in $cities", { ...options, params: { cities: ['a", "b', "]"] } });
    expect(result.payload!.filters.criteria[0]!.operand).toEqual(['a", "b', "]"]);
  });

  it("on the command line too", async () => {
    const dir = scratch({ "q.oq": "email ends $domain\n" });
    const run = await oq(["compile", "q.oq", "--now", propertyNow, "--param", `domain=${hostile}`], {
      cwd: dir,
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const { criteria } = JSON.parse(run.stdout).filters;
    expect(criteria).toHaveLength(1);
    expect(criteria[0].operand).toEqual([hostile]);
  });
});

describe("the library option", () => {
  it("reports a value that is not text, a finite number or an array of those at $name, never throwing", async () => {
    const cases: [unknown, string][] = [
      [null, "is null"],
      [true, "is true"],
      [{}, "is an object"],
      [[{ a: 1 }], "element 1 of 1 is an object"],
      [[1, [1, 2]], "element 2 of 2 is an array"],
      [Number.NaN, "is NaN"],
      [Infinity, "is Infinity"],
    ];
    for (const [bad, what] of cases) {
      const result = compile("opens > $n", { ...options, params: { n: bad as never } });
      expect(result.ok, what).toBe(false);
      expect(result.diagnostics.map((d) => d.code)).toEqual(["OQ275"]);
      expect(result.diagnostics[0]!.message).toBe(`the value of $n (from options.params) ${what}`);
      expect(result.diagnostics[0]!.span.start.column).toBe(9);
    }
    // A body's "__proto__" key is an own key, bound like any other, and reported at 1:1 when unused.
    const proto = compile("opens > 1", { ...options, params: JSON.parse('{"__proto__": {"a": 1}}') });
    expect(proto.ok).toBe(false);
    expect(proto.diagnostics[0]!.message).toBe("the value of $__proto__ (from options.params) is an object");
    expect(proto.diagnostics[0]!.span.start).toMatchObject({ line: 1, column: 1 });
    // undefined leaves a parameter unbound, as a missing key does.
    expect(
      compile("opens > $n", { ...options, params: { n: undefined as never } }).diagnostics[0]!.code,
    ).toBe("OQ270");
    // Only options that are not an object of values are the program's mistake.
    expect(() => compile("opens > $n", { params: "n=1" as never })).toThrow(TypeError);
    expect(() => compile("opens > $n", { params: {}, paramSources: null as never })).toThrow(
      "'paramSources' must be an object, not null",
    );
    expect(() => compile("opens > $n", { params: new Map() as never, fields: [] as never })).toThrow(
      "not an array",
    );
    expect(() => compile("opens > $n", { limits: (() => 1) as never })).toThrow("not a function");
    expect(() => compile("opens > $n", { limits: { maxTokens: {} as never } })).toThrow("not an object");
  });

  it("counts bound values against the limits (OQ001, OQ002 at $name)", async () => {
    const limits = { maxTokens: 1000, maxSourceLength: 1000 };
    const many = compile("ocx_status in $s", {
      ...options,
      limits,
      params: { s: new Array(3_000_000).fill("a") },
    });
    expect(many.diagnostics.map((d) => d.code)).toEqual(["OQ002"]);
    expect(many.diagnostics[0]!.message).toContain("more than the limit of 1000");
    expect(many.diagnostics[0]!.span.start.column).toBe(15);
    const long = compile("ocx_status = $s", { ...options, limits, params: { s: "x".repeat(50_000_000) } });
    expect(long.diagnostics.map((d) => d.code)).toEqual(["OQ001"]);
    expect(long.diagnostics[0]!.span.start.column).toBe(14);
    const within = compile("ocx_status in $s", {
      ...options,
      limits,
      params: { s: new Array(900).fill("a") },
    });
    expect(within.ok).toBe(true);
  });

  it("names its source in messages, options.params unless paramSources says", async () => {
    const plain = compile("opens > $n", { ...options, params: { n: "x" } });
    expect(plain.diagnostics[0]!.hints).toContain('$n is "x" (from options.params)');
    const named = compile("opens > $n", { ...options, params: { n: "x" }, paramSources: { n: "the form" } });
    expect(named.diagnostics[0]!.hints).toContain('$n is "x" (from the form)');
  });

  it("gives no fix that would write a value into the query", async () => {
    const result = compile("opens >= $n", { ...options, params: { n: "3.0" } });
    expect(result.ok).toBe(true);
    const date = compile("ocx_created_date > $d", { ...options, params: { d: 5 } });
    expect(date.ok).toBe(false);
    expect(date.diagnostics[0]!.suggestions).toEqual([]);
  });
});

describe("numbers a double cannot carry exactly", () => {
  it("the library checks a number as the literal it would be written as (OQ216 at $n)", async () => {
    for (const n of [1e21, 1e-7, 1e308]) {
      const result = compile("opens >= $n", { ...options, params: { n } });
      expect(result.ok, String(n)).toBe(false);
      expect(result.diagnostics[0]!.code).toBe("OQ216");
      expect(result.diagnostics[0]!.span.start.column).toBe(10);
    }
    expect(compile("opens >= $n", { ...options, params: { n: 2.5 } }).ok).toBe(true);
  });

  it("the command line and a params file refuse them, saying to write the value as text (exit 2)", async () => {
    const dir = scratch({
      "q.oq": "ocx_status = $s and opens >= $n\n",
      "big.json": '{"s": 12345678901234567890, "n": 1}',
      "fine.json": '{"s": "12345678901234567890", "n": 1.50e1}',
    });
    for (const flags of [
      ["--param", "s:=12345678901234567890", "--param", "n:=1"],
      ["--param", "s=x", "--param", "n:=9007199254740993"],
      ["--params", "big.json"],
    ]) {
      const run = await oq(["compile", "q.oq", ...flags], { cwd: dir });
      expect(run.status, flags.join(" ")).toBe(2);
      expect(run.stderr).toContain("cannot be carried exactly");
      expect(run.stderr).toContain("write it as text");
      expect(run.stdout).toBe("");
    }
    const fine = await oq(["compile", "q.oq", "--params", "fine.json", "--param", "n:=1e1"], { cwd: dir });
    expect(fine.stderr).toBe("");
    const criteria = JSON.parse(fine.stdout).filters.criteria;
    expect(criteria[0].operand).toEqual(["12345678901234567890"]);
    expect(criteria[1].operand).toEqual([10]);
  });
});

describe("oq fmt and explain", () => {
  it("a declaration ends at its value: one line is accepted, and fmt writes one per line", async () => {
    const text = 'param d = "x.com" param e email ends $d and ocx_status = $e\n';
    expect(compile(text, { ...options, params: { e: "y" } }).ok).toBe(true);
    expect(format(text).formatted).toBe('param d = "x.com"\nparam e\nemail ends $d and ocx_status = $e\n');
  });

  it("fmt refuses a parameter declared twice, as check does (OQ273)", async () => {
    const text = 'param d = "a.com"\nparam d = "b.com"\nemail ends $d\n';
    const formatted = format(text);
    expect(formatted.formatted).toBeUndefined();
    expect(formatted.diagnostics.map((d) => d.code)).toEqual(["OQ273"]);
    expect(compile(text, options).diagnostics.map((d) => d.code)).toEqual(["OQ273"]);
    const dir = scratch({ "q.oq": text });
    expect((await oq(["fmt", "q.oq"], { cwd: dir })).status).toBe(1);
  });

  it("fmt keeps the declarations at the top, one per line, and writes $name as written", async () => {
    const text =
      'param   domain="gmail.com"  param n\nparam cities = ["a","b"]\nemail  ends $domain and city in $cities and opens > $n';
    const formatted = format(text).formatted;
    expect(formatted).toBe(
      'param domain = "gmail.com"\nparam n\nparam cities = ["a", "b"]\nemail ends $domain and city in $cities and opens > $n\n',
    );
    expect(format(formatted!).formatted).toBe(formatted);
  });

  it("explain shows each bound value with its parameter, and lists the parameters", async () => {
    const result = explain("param domain\nemail ends $domain", {
      ...options,
      params: { domain: "gmail.com" },
    });
    expect(result.explanation!.text).toContain('whose email ends with "gmail.com" ($domain)');
    expect(result.explanation!.parameters).toEqual([
      {
        name: "domain",
        value: "gmail.com",
        source: "options.params",
        text: '$domain = "gmail.com" (from options.params)',
      },
    ]);
    expect(result.explanation!.condition.parts[0]!.values[0]).toMatchObject({ parameter: "domain" });
  });
});

describe("--param and --params", () => {
  const now = ["--now", propertyNow];
  const operand = (stdout: string) => JSON.parse(stdout).filters.criteria[0].operand;

  it("name=value is text, name:=JSON a number, text or array", async () => {
    const dir = scratch({ "q.oq": "ocx_status in $cities and opens > $n\n" });
    const run = await oq(["compile", "q.oq", ...now, "--param", 'cities:=["a", "b"]', "--param", "n:=3"], {
      cwd: dir,
    });
    expect(run.stderr).toBe("");
    const criteria = JSON.parse(run.stdout).filters.criteria;
    expect(criteria[0].operand).toEqual(["a", "b"]);
    expect(criteria[1].operand).toEqual([3]);
    // As text, a number's digits still stand for the number where a number goes.
    const text = await oq(["compile", "q.oq", ...now, "--param", "cities=a", "--param", "n=3"], { cwd: dir });
    expect(JSON.parse(text.stdout).filters.criteria[1].operand).toEqual([3]);
  });

  it("--param wins over --params, which wins over the default", async () => {
    const dir = scratch({
      "q.oq": 'param domain = "default.com"\nparam other = "x"\nemail ends $domain and ocx_status = $other\n',
      "values.json": '{ "domain": "file.com", "other": "from-file" }',
    });
    expect(operand((await oq(["compile", "q.oq", ...now], { cwd: dir })).stdout)).toEqual(["default.com"]);
    expect(
      operand((await oq(["compile", "q.oq", ...now, "--params", "values.json"], { cwd: dir })).stdout),
    ).toEqual(["file.com"]);
    const both = await oq(
      ["compile", "q.oq", ...now, "--params", "values.json", "--param", "domain=flag.com"],
      {
        cwd: dir,
      },
    );
    expect(operand(both.stdout)).toEqual(["flag.com"]);
    expect(JSON.parse(both.stdout).filters.criteria[1].operand).toEqual(["from-file"]);
  });

  it("an error names the parameter and where its value came from; exit 1", async () => {
    const dir = scratch({ "q.oq": "opens > $n\n", "v.json": '{ "n": "many" }' });
    const flag = await oq(["check", "q.oq", "--param", "n=lots"], { cwd: dir });
    expect(flag.status).toBe(1);
    expect(flag.stderr).toContain('= help: $n is "lots" (from --param n)');
    expect(flag.stderr).toContain("= help: for the value of $n: give a number, e.g. 3");
    expect(flag.stderr).not.toContain("without quotes");
    const file = await oq(["explain", "q.oq", "--params", "v.json"], { cwd: dir });
    expect(file.status).toBe(1);
    expect(file.stderr).toContain('= help: $n is "many" (from v.json)');
  });

  it("an unbound parameter is an error with the flag that binds it; an unused one a warning", async () => {
    const dir = scratch({ "q.oq": "opens > $n\n" });
    const unbound = await oq(["compile", "q.oq"], { cwd: dir });
    expect(unbound.status).toBe(1);
    expect(unbound.stderr).toContain("error: the parameter $n has no value");
    expect(unbound.stderr).toContain("--param n=...");
    const unused = await oq(["check", "q.oq", "--param", "n=1", "--param", "m=2"], { cwd: dir });
    expect(unused.status).toBe(0);
    expect(unused.stderr).toContain(
      "warning: the parameter m is bound (--param m) but the query does not use it",
    );
  });

  it("a misspelled parameter offers the bound name; an unused value says where it was bound", async () => {
    const dir = scratch({ "q.oq": "email ends $domian\n" });
    const typo = await oq(["check", "q.oq", "--param", "domain=x"], { cwd: dir });
    expect(typo.status).toBe(1);
    expect(typo.stderr).toContain("= help: did you mean $domain?");
    // The offered name is not also reported as unused.
    expect(typo.stderr).not.toContain("warning");
    const fixed = compile("email ends $domian", { ...options, params: { domain: "x" } });
    expect(fixed.diagnostics[0]!.suggestions).toEqual([
      expect.objectContaining({ replacement: "$domain", span: fixed.diagnostics[0]!.span }),
    ]);
    const unused = await oq(["check", "q.oq", "--param", "domian=x", "--param", "other=y"], { cwd: dir });
    expect(unused.stderr).toContain("^ bound by --param other");
  });

  it("a run of several queries warns once about a --param that no query uses, and not per query", async () => {
    const dir = scratch({
      "a.oq": "email ends $domain\n",
      "b.oq": "opens > 1\n",
      "c.oq": "opens > 2\n",
    });
    const used = await oq(["check", "a.oq", "b.oq", "c.oq", "--param", "domain=x"], { cwd: dir });
    expect(used.status).toBe(0);
    expect(used.stderr).not.toContain("OQ271");
    expect(used.stderr).not.toContain("warning");
    const unused = await oq(["check", "b.oq", "c.oq", "--param", "domain=x"], { cwd: dir });
    expect(unused.stderr.match(/the parameter domain is bound/g)).toHaveLength(1);
    // One query on its own still warns.
    expect((await oq(["check", "b.oq", "--param", "domain=x"], { cwd: dir })).stderr).toContain(
      "the parameter domain is bound (--param domain) but the query does not use it",
    );
  });

  it("a malformed --param or a --params file that is not a JSON object is a usage error (exit 2)", async () => {
    const dir = scratch({
      "q.oq": "opens > $n\n",
      "list.json": "[1, 2]",
      "nested.json": '{ "n": { "a": 1 } }',
      "broken.json": "{",
    });
    const cases: [string[], string][] = [
      [["--param", "n"], "--param takes name=value or name:=JSON"],
      [["--param", "1n=2"], "--param takes name=value or name:=JSON"],
      [["--param", "n:=[1"], "--param n:= takes JSON"],
      [["--param", "n:=true"], "--param n:= takes a JSON number, string or array"],
      [["--params", "list.json"], "must hold a JSON object"],
      [["--params", "nested.json"], "'n' must be a parameter name with text, a number or an array"],
      [["--params", "broken.json"], "is not valid JSON"],
      [["--params", "missing.json"], "cannot read the params file"],
    ];
    for (const [index, [flags, message]] of cases.entries()) {
      // Every case on compile; the other commands share the reading, so one case each.
      for (const command of index === 0 ? ["compile", "check", "explain"] : ["compile"]) {
        const run = await oq([command, "q.oq", ...flags], { cwd: dir });
        expect(run.status, `${command} ${flags.join(" ")}`).toBe(2);
        expect(run.stderr).toContain(message);
        expect(run.stdout).toBe("");
      }
    }
  });

  it("explain --json lists the parameters and their sources", async () => {
    const dir = scratch({
      "q.oq": 'param domain = "gmail.com"\nparam n\nemail ends $domain and opens > $n\n',
    });
    const run = await oq(["explain", "q.oq", ...now, "--json", "--param", "n:=2"], { cwd: dir });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).explanation.parameters).toEqual([
      {
        name: "domain",
        value: "gmail.com",
        source: "the default on line 1",
        text: '$domain = "gmail.com" (from the default on line 1)',
      },
      { name: "n", value: 2, source: "--param n", text: "$n = 2 (from --param n)" },
    ]);
  });
});

describe("NAME.params.json beside NAME.oq", () => {
  it("every command that compiles the file reads it, and help says so", async () => {
    const dir = scratch({
      "q.oq": "email ends $domain\n",
      "q.params.json": '{ "domain": "beside.com" }',
    });
    const now = ["--now", propertyNow];
    const compiled = await oq(["compile", "q.oq", ...now], { cwd: dir });
    expect(compiled.stderr).toBe("");
    expect(JSON.parse(compiled.stdout).filters.criteria[0].operand).toEqual(["beside.com"]);
    expect((await oq(["check", "q.oq", ...now], { cwd: dir })).status).toBe(0);
    expect((await oq(["explain", "q.oq", ...now], { cwd: dir })).stdout).toContain("beside.com");
    expect((await oq(["plan", "q.oq", ...now], { cwd: dir })).stdout).toContain("beside.com");
    for (const command of ["run", "compile"])
      expect((await oq([command, "--help"])).stdout.replace(/\s+/g, " ")).toContain(
        "NAME.params.json beside NAME.oq",
      );
  });

  it("binds that query's parameters, below --params and --param", async () => {
    const dir = scratch({
      "weekly.oq": "email ends $domain and city = $city\n",
      "other.oq": "email ends $domain\n",
    });
    writeFileSync(join(dir, "weekly.params.json"), '{ "domain": "gmail.com", "city": "Paris" }');
    const operands = async (flags: { param?: string[]; params?: string }, file: string) => {
      const settings = await compileSettingsFor(flags, process)(join(dir, file));
      const result = compile("email ends $domain and city = $city", {
        ...settings,
        now: propertyNow,
        fields: customFields,
      });
      return { result, sources: settings.paramSources };
    };
    const beside = await operands({}, "weekly.oq");
    expect(beside.result.payload!.filters.criteria.map((c) => c.operand)).toEqual([["gmail.com"], ["Paris"]]);
    expect(beside.sources).toEqual({ domain: "weekly.params.json", city: "weekly.params.json" });
    const flagged = await operands({ param: ["domain=yahoo.com"] }, "weekly.oq");
    expect(flagged.result.payload!.filters.criteria.map((c) => c.operand)).toEqual([
      ["yahoo.com"],
      ["Paris"],
    ]);
    // Another query in the folder does not take weekly's values.
    const other = await compileSettingsFor({}, process)(join(dir, "other.oq"));
    expect(other.params).toBeUndefined();
  });
});
