"use strict";
module.exports = require("./loadEsm.cjs")("oq/sandbox", () => require("../sandbox/index.js"));
