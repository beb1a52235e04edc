import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { exitCodes } from "../src/app/exitCodes.js";

// What `npm install` of oq (from git, a tarball or a registry) gets: the package as npm packs it
// from the built folder. `npm test` builds first; the pack itself is offline and runs no scripts.
const root = fileURLToPath(new URL("..", import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

function packedFiles(): string[] {
  const json = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts", "--offline"], {
    cwd: root,
    encoding: "utf8",
    env: {
      ...process.env,
      npm_config_update_notifier: "false",
      npm_config_fund: "false",
      npm_config_audit: "false",
    },
  });
  return (JSON.parse(json) as { files: { path: string }[] }[])[0]!.files.map((file) => file.path);
}

/** Every file the manifest points at: bin, main, types and each target of the exports map. */
function manifestTargets(): string[] {
  const targets: string[] = [
    ...Object.values(manifest.bin as Record<string, string>),
    manifest.main,
    manifest.types,
  ];
  const walk = (value: unknown): void => {
    if (typeof value === "string") targets.push(value);
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  walk(manifest.exports);
  return targets.map((target) => normalize(target));
}

describe("the package as npm packs it", () => {
  const files = packedFiles();

  it("has the command, the library, the licence and the docs", () => {
    for (const path of [
      "bin/oq.js",
      "bin/package.json",
      "bin/codeCache.cjs",
      "dist/cli/cli.js",
      "dist/cli/compiling.cjs",
      "dist/cli/compiling.cjs.cache",
      "dist/cli/zod.cjs",
      "dist/cli/reports.cjs",
      "dist/cli/reports.cjs.cache",
      "dist/cli/recovering-parser.cjs",
      "dist/cli/recovering-parser.cjs.cache",
      "dist/lib/index.js",
      "dist/lib/index.d.ts",
      // `oq playground` serves it (docs/playground.md).
      "dist/playground/index.html",
      "dist/playground/playground.js",
      "LICENSE",
      "README.md",
      "grammar.md",
      "docs/running.md",
      "package.json",
    ]) {
      expect(files, path).toContain(path);
    }
    expect(files.some((path) => path.startsWith("dist/cli/chunks/"))).toBe(true);
  });

  it("has every file package.json points at (bin, main, types, exports)", () => {
    const missing = manifestTargets().filter((target) => !files.includes(target));
    expect(missing).toEqual([]);
  });

  it("leaves out the sources, tests and tooling (the maps carry the sources)", () => {
    // dist/lib/cli, dist/lib/repl and dist/lib/lsp: tsc's copy of the command, which nothing imports (bin/oq.js runs the bundle in dist/cli);
    // dist/lib/playground: tsc's copy of the page's code, which runs only as dist/playground's bundle.
    const unwanted = files.filter(
      (path) =>
        /^(src|test|bench|scripts|examples|node_modules|out|dist\/lib\/cli|dist\/lib\/repl|dist\/lib\/lsp|dist\/lib\/playground)\//.test(
          path,
        ) || /^tsconfig|^vitest/.test(path),
    );
    expect(unwanted).toEqual([]);
  });

  it("has no source map that points at a file it does not ship", () => {
    const maps = files.filter((path) => path.endsWith(".map"));
    expect(maps.length).toBeGreaterThan(10);
    const dangling: string[] = [];
    for (const mapPath of maps) {
      const map = JSON.parse(readFileSync(join(root, mapPath), "utf8")) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      map.sources.forEach((source, index) => {
        const shipped = files.includes(normalize(join(dirname(mapPath), source)));
        if (!shipped && typeof map.sourcesContent?.[index] !== "string")
          dangling.push(`${mapPath} -> ${source}`);
      });
    }
    expect(dangling).toEqual([]);
  });
});

describe("the bundles bin/codeCache.cjs runs", () => {
  it("require only Node's modules and files by absolute path, which codeCache.cjs's own require finds alike", () => {
    const required = ["compiling.cjs", "recovering-parser.cjs", "reports.cjs"].flatMap((bundle) =>
      [...readFileSync(join(root, "dist/cli", bundle), "utf8").matchAll(/\brequire\(([^)]*)\)/g)].map(
        (match) => `${bundle}: ${match[1]}`,
      ),
    );
    expect(required).toContain('compiling.cjs: __dirname+"/zod.cjs"');
    expect(required).toContain('reports.cjs: "node:http"');
    const others = required.filter((call) => !/: ("node:[a-z_/]+"|__dirname\s*\+\s*"\/[^"]+")$/.test(call));
    expect(others).toEqual([]);
  });
});

describe("the command in a package without dist/ (installed from git with --ignore-scripts)", () => {
  it("says how to get it built, and exits with the usage status (exitCodes.usage)", () => {
    const installed = mkdtempSync(join(tmpdir(), "oq-unbuilt-"));
    try {
      mkdirSync(join(installed, "bin"));
      for (const file of ["oq.js", "package.json", "codeCache.cjs"])
        copyFileSync(join(root, "bin", file), join(installed, "bin", file));
      const run = spawnSync(process.execPath, [join(installed, "bin/oq.js"), "--version"], {
        encoding: "utf8",
      });
      // bin/oq.js cannot import exitCodes (dist/ is what is missing): it writes the number, kept the same here.
      expect(run.status).toBe(exitCodes.usage);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain("without --ignore-scripts");
      expect(run.stderr).toContain("npm run build");
    } finally {
      rmSync(installed, { recursive: true, force: true });
    }
  });
});

describe("require() of the package from CommonJS", () => {
  const entries = ["oq", "oq/client", "oq/sandbox"];
  // Node.js 20.19+ and 22.12+ can require() ES modules (and have a flag to turn that off).
  const canRequireEsm = (process.features as { require_module?: boolean }).require_module === true;

  // A CommonJS script inside the package folder: Node resolves "oq" to this package by its name.
  function requireFromCommonJs(code: string, nodeFlags: string[] = []) {
    return spawnSync(process.execPath, [...nodeFlags, "--input-type=commonjs", "-e", code], {
      cwd: root,
      encoding: "utf8",
    });
  }

  it("gives the very modules that import gives, where Node can require() ES modules", () => {
    const run = requireFromCommonJs(`
      (async () => {
        const same = [];
        for (const entry of ${JSON.stringify(entries)}) same.push(require(entry) === (await import(entry)));
        console.log(JSON.stringify({ same, ok: require("oq").compile("opens > 1").ok }));
      })();`);
    if (!canRequireEsm) {
      expect(run.stderr).toContain("is an ES module");
      return;
    }
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({ same: [true, true, true], ok: true });
  });

  it("says how to load oq where Node cannot require() ES modules", () => {
    for (const entry of entries) {
      const run = requireFromCommonJs(
        `try { require(${JSON.stringify(entry)}); } catch (error) { console.log(JSON.stringify({ code: error.code, message: error.message })); }`,
        canRequireEsm ? ["--no-experimental-require-module"] : [],
      );
      const { code, message } = JSON.parse(run.stdout);
      expect(code).toBe("ERR_REQUIRE_ESM");
      expect(message).toContain(`${entry} is an ES module`);
      expect(message).toContain(`await import("${entry}")`);
      expect(message).not.toContain(root);
    }
  });

  it("reports a failure inside oq as it is, not as an ES module problem", () => {
    expect(existsSync(join(root, "dist/lib/require/loadEsm.cjs"))).toBe(true);
    const run = requireFromCommonJs(`
      const loadEsm = require("./dist/lib/require/loadEsm.cjs");
      try { loadEsm("oq", () => { throw new TypeError("broken"); }); } catch (error) { console.log(error.message); }`);
    expect(run.stdout.trim()).toBe("broken");
  });
});
