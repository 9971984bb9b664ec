import { redactUrlCredentials } from "./url-credentials.js";

it.each([
  ["https://user:pa:ss@host:8080/p?q=1#f", "https://user:xxxxx@host:8080/p?q=1#f"],
  ["//user:secret@host/path", "//user:xxxxx@host/path"],
  ["http://user:p%40ss@host", "http://user:xxxxx@host"],
  ["https://user:secret@host:notaport/", "(invalid URL)"],
  ["https://us er:secret@host/", "(invalid URL)"],
  ["https://host/a:b@c", "https://host/a:b@c"],
  ["mailto:someone:else@example.com", "mailto:someone:else@example.com"],
  ["https://[::1]:8080/x", "https://[::1]:8080/x"],
])("%j → %j", (input, expected) => {
  expect(redactUrlCredentials(input)).toBe(expected);
});
