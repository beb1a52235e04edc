// Lint rules that catch mistakes; layout is Prettier's job (eslint-config-prettier turns the
// stylistic rules off so the two never disagree).
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "out/**",
      "node_modules/**",
      "test/golden/**",
      "test/fixtures/**",
      "src/parser/cst.generated.d.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        setImmediate: "readonly",
        AbortController: "readonly",
        AbortSignal: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        fetch: "readonly",
        structuredClone: "readonly",
        performance: "readonly",
        queueMicrotask: "readonly",
        Response: "readonly",
        Headers: "readonly",
        globalThis: "readonly",
        __dirname: "readonly",
        require: "readonly",
        module: "writable",
      },
    },
    rules: {
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { fixStyle: "inline-type-imports", disallowTypeAnnotations: false },
      ],
      // Terminal escapes and control characters are what the output code exists to neutralise.
      "no-control-regex": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-console": "off",
    },
  },
  // bin/oq.js is CommonJS too (bin/package.json), for a faster start.
  { files: ["**/*.cjs", "bin/oq.js"], rules: { "@typescript-eslint/no-require-imports": "off" } },
  {
    // The playground's files bring the DOM's types into the one TypeScript program of src and
    // test, so the type check no longer refuses a browser global elsewhere: this rule does.
    files: ["src/**/*.ts"],
    ignores: ["src/playground/**"],
    rules: {
      "no-restricted-globals": [
        "error",
        ...[
          "window",
          "document",
          "navigator",
          "location",
          "localStorage",
          "sessionStorage",
          "HTMLElement",
        ].map((name) => ({ name, message: "a browser global: only src/playground/ runs in a page" })),
      ],
    },
  },
  prettier,
);
