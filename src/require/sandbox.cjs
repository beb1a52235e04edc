"use strict";
module.exports = require("./loadEsm.cjs")("oq/sandbox", () => require("../entry/sandbox.js"));
