"use strict";
// What require("oq") runs. oq is an ES module: Node.js 20.19+ and 22.12+ can require() it, and
// then this returns the very module that `import` gives. Older versions throw ERR_REQUIRE_ESM
// with words about file paths; this says instead which way works.
module.exports = function loadEsm(specifier, load) {
  try {
    return load();
  } catch (error) {
    if (!error || error.code !== "ERR_REQUIRE_ESM") throw error;
    const message =
      `${specifier} is an ES module, and this Node.js (${process.version}) does not load ES modules with require(): ` +
      `use \`import { ... } from "${specifier}"\`, or \`await import("${specifier}")\` from CommonJS. ` +
      `Node.js 20.19+ and 22.12+ can require("${specifier}"), unless --no-experimental-require-module is set.`;
    throw Object.assign(new Error(message, { cause: error }), { code: error.code });
  }
};
