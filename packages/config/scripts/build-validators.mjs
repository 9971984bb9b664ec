// Runs after `tsc -b`: writes dist/validators.cjs, the precompiled constraint
// validators of every built-in command (see src/validators-module.ts).
import { writeFileSync } from "node:fs";
import { commands } from "../dist/index.js";
import { validatorsModuleCode } from "../dist/validators-module.js";

writeFileSync(new URL("../dist/validators.cjs", import.meta.url), validatorsModuleCode(commands));
