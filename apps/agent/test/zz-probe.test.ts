import { it } from "@jest/globals";
import { runJobCommand, startJob } from "./job-command-harness.js";
it("probe", async () => {
  const f = await startJob();
  console.log(await runJobCommand("meta-data get", ["nope"], { env: f.env }));
  console.log(await runJobCommand("meta-data set", ["k", "v"], { env: f.env, flags: { "redacted-vars": ["[oops"] } }));
  console.log(await runJobCommand("meta-data set", ["k", "hunter2hunter2"], { env: {...f.env, A_TOKEN: "hunter2hunter2"} }));
  await f.server.close();
});
