"use strict";
module.exports = require("./loadEsm.cjs")("oq/client", () => require("../entry/client.js"));
