import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain JavaScript script, without types
import * as passedCheck from "../scripts/passedCheck.mjs";
import { scratch } from "./support/scratch.js";

const { alreadyPassed, filesUnder, passedCheckFile, readText, rememberPassed } = passedCheck as {
  alreadyPassed(root: string, check: string, files: string[]): boolean;
  filesUnder(root: string, folders: string[]): string[];
  passedCheckFile(root: string, check: string): string;
  readText(root: string, file: string): string | undefined;
  rememberPassed(root: string, check: string, texts: Map<string, string | undefined>): void;
};

/*
 * `npm run typecheck` remembers a run that passed (scripts/passedCheck.mjs) and passes at once
 * when run again on the same files. A type error must still fail the next run: whatever the
 * check read that changes, and any new file of the project, make it run again.
 */
describe("a passed check is remembered by what it read", () => {
  function passedProject() {
    const root = scratch({ "a.ts": "export const a = 1;\n", "b.ts": "export const b = 2;\n" });
    mkdirSync(join(root, "node_modules"));
    const files = ["a.ts", "b.ts"];
    rememberPassed(root, "typecheck", new Map(files.map((file) => [join(root, file), readText(root, file)])));
    return { root, files };
  }

  it("passes again on the same files", () => {
    const { root, files } = passedProject();
    expect(alreadyPassed(root, "typecheck", files)).toBe(true);
    expect(
      alreadyPassed(
        root,
        "typecheck",
        files.map((file) => join(root, file)),
      ),
    ).toBe(true);
  });

  it("runs again when a file it read changes, a new file joins the project, or one is gone", () => {
    const changed = passedProject();
    writeFileSync(join(changed.root, "b.ts"), 'export const b: number = "2";\n');
    expect(alreadyPassed(changed.root, "typecheck", changed.files)).toBe(false);

    const grown = passedProject();
    writeFileSync(join(grown.root, "c.ts"), "export const c = 3;\n");
    expect(alreadyPassed(grown.root, "typecheck", [...grown.files, "c.ts"])).toBe(false);

    const shrunk = passedProject();
    rmSync(join(shrunk.root, "b.ts"));
    expect(alreadyPassed(shrunk.root, "typecheck", ["a.ts"])).toBe(false);
  });

  it("remembers the texts it checked, not the files as they are afterwards", () => {
    const root = scratch({ "a.ts": "export const a = 1;\n" });
    mkdirSync(join(root, "node_modules"));
    // The file changed while the check ran: the record holds what it checked.
    rememberPassed(root, "typecheck", new Map([["a.ts", "export const a = 0;\n"]]));
    expect(alreadyPassed(root, "typecheck", ["a.ts"])).toBe(false);
  });

  it("keeps one record per checkout, though checkouts share node_modules", () => {
    const { root } = passedProject();
    const other = `${root}-worktree`;
    expect(passedCheckFile(other, "typecheck")).not.toBe(passedCheckFile(root, "typecheck"));
    expect(alreadyPassed(root, "lint", ["a.ts"])).toBe(false);
  });

  it("never passes without a record", () => {
    const root = scratch({ "a.ts": "export const a = 1;\n" });
    expect(alreadyPassed(root, "typecheck", ["a.ts"])).toBe(false);
  });

  it("counts every file of the checked folders: a package.json or a declaration file that appears makes it run again", () => {
    // The type check's project lists only .ts files, but TypeScript reads a package.json for a
    // module's format and looks for a .d.mts beside an imported script (cold test of issue 20:
    // both passed from the record while tsc failed).
    const root = scratch({});
    for (const folder of ["src/app", "scripts", "node_modules/x"])
      mkdirSync(join(root, folder), { recursive: true });
    writeFileSync(join(root, "src/app/a.ts"), "export const a = 1;\n");
    writeFileSync(join(root, "scripts/check.mjs"), "export const b = 2;\n");
    writeFileSync(join(root, "node_modules/x/index.d.ts"), "export {};\n");
    const listed = () => filesUnder(root, ["src", "scripts"]);
    expect(listed()).toEqual(["scripts/check.mjs", "src/app/a.ts"]);
    rememberPassed(root, "typecheck", new Map(listed().map((file) => [file, readText(root, file)])));
    expect(alreadyPassed(root, "typecheck", listed())).toBe(true);
    for (const added of ["src/app/package.json", "scripts/check.d.mts"]) {
      writeFileSync(join(root, added), "{}\n");
      expect(alreadyPassed(root, "typecheck", listed())).toBe(false);
      rmSync(join(root, added));
    }
  });
});
