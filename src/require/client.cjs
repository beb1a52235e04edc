"use strict";
module.exports = require("./loadEsm.cjs")("oq/client", () => require("../client/index.js"));
