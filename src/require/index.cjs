"use strict";
module.exports = require("./loadEsm.cjs")("oq", () => require("../index.js"));
