import type {
  CheckedCondition,
  CheckedCriterion,
  CheckedQuery,
  ContactActivityCriterion,
  ContactActivityRequest,
  NormalizedQuery,
} from "oq";
import { describe, expect, expectTypeOf, it } from "vitest";

// The package's entry points, as users import them (the built files, through package.json's exports map).
describe("the package's exports", () => {
  it("oq: the compiler", async () => {
    const oq = await import("oq");
    expect(oq.compile("opens > 1").ok).toBe(true);
    expect(oq.explain("opens > 1").explanation?.text).toContain("who opened more than 1 time");
    for (const stage of [oq.parse, oq.check, oq.normalize, oq.emit]) expect(typeof stage).toBe("function");
  });

  it("oq: the request's criterion (JSON) and the checked criterion, each named for what it is", async () => {
    const oq = await import("oq");
    const { criteria } = oq.compileFilter('email ends "gmail.com"');
    expect(criteria).toHaveLength(1);
    expect(oq.ContactActivityCriterionSchema.parse(criteria![0])).toEqual(criteria![0]);
    expect("CriterionSchema" in oq).toBe(false);
    // Checked by `npm run typecheck`: the JSON one as Ongage reads it, the checked one as emit takes it.
    expectTypeOf(criteria!).toEqualTypeOf<ContactActivityCriterion[]>();
    expectTypeOf<
      ContactActivityRequest["filters"]["criteria"][number]
    >().toEqualTypeOf<ContactActivityCriterion>();
    expectTypeOf<ContactActivityCriterion>().toHaveProperty("field_name");
    expectTypeOf<NormalizedQuery["filter"]["criteria"][number]>().toEqualTypeOf<CheckedCriterion>();
    expectTypeOf<CheckedQuery["condition"]>().toEqualTypeOf<CheckedCondition>();
    expectTypeOf<CheckedCriterion>().toHaveProperty("fieldName");
    // @ts-expect-error a bare `Criterion` would not say which of the two it is
    expectTypeOf<import("oq").Criterion>().not.toBeAny();
  });

  it("oq/client: the client and the runner", async () => {
    const client = await import("oq/client");
    expect(typeof client.OngageClient).toBe("function");
    expect(typeof client.runReport).toBe("function");
    expect(typeof client.runPlan).toBe("function");
  });

  it("oq/sandbox: the sandbox", async () => {
    const sandbox = await import("oq/sandbox");
    const running = await sandbox.startSandbox({ port: 0, contacts: 10 });
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await running.close();
  });
});
