import { agentMatchesRules } from "./dispatch.js";

describe("agentMatchesRules", () => {
  it.each([
    ["no rules, agent without queue tag: both default", [], [], true],
    ["no rules, agent in another queue", [], ["queue=deploy"], false],
    ["queue rule matches", ["queue=deploy"], ["queue=deploy"], true],
    ["queue rule vs default agent", ["queue=deploy"], ["os=linux"], false],
    ["extra tag rule matches", ["os=linux"], ["os=linux"], true],
    ["extra tag missing on agent", ["os=linux"], [], false],
    ["wildcard value", ["os=lin*"], ["os=linux"], true],
    ["wildcard is anchored", ["os=*nux"], ["os=linux-arm"], false],
    ["regex characters are literal", ["v=1.2"], ["v=1x2"], false],
  ])("%s", (_name, rules, tags, expected) => {
    expect(agentMatchesRules(rules, tags)).toBe(expected);
  });
});
