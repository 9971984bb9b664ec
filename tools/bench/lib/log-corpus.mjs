// Generated job output shared by the log benchmarks: a fixed-seed PRNG, 20
// secrets of the shapes real jobs leak (SSH key, GitHub/AWS tokens, passwords with
// spaces), and ~1 MB of varied log text (ANSI colours, \r progress redraws,
// headers, the odd embedded secret) cut into writes.
const MB = 1024 * 1024;
export const WRITE_BYTES = 64 * 1024;

// A fixed-seed PRNG so every run sees the same log.
export function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeSecrets(random) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const token = (n) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
  const secrets = [];
  for (let i = 0; i < 20; i++) {
    if (i === 0) secrets.push(`-----BEGIN OPENSSH PRIVATE KEY-----\n${token(64)}\n${token(64)}\n-----END OPENSSH PRIVATE KEY-----\n`);
    else if (i % 4 === 1) secrets.push(`ghp_${token(36)}`);
    else if (i % 4 === 2) secrets.push(`AKIA${token(16)}`);
    else if (i % 4 === 3) secrets.push(`p@ss w0rd ${token(8)}`);
    else secrets.push(token(24));
  }
  return secrets;
}

// ~1 MB of varied log text, built once; writes are cut from it at moving offsets.
export function makeCorpus(random, secrets) {
  const words = "the build step npm install compiling src index ts test passed failed warning error done in seconds downloading layer pulling image docker run cache hit miss".split(" ");
  const lines = [];
  let size = 0;
  while (size < MB) {
    const n = 4 + Math.floor(random() * 14);
    let line = Array.from({ length: n }, () => words[Math.floor(random() * words.length)]).join(" ");
    const roll = random();
    if (roll < 0.15) line = `\x1b[32m${line}\x1b[0m`;
    else if (roll < 0.2) line = `\x1b[1;31merror:\x1b[0m ${line}`;
    else if (roll < 0.22) line = `--- ${line}`;
    else if (roll < 0.25) line = `Progress ${Math.floor(random() * 100)}%\r\x1b[K${line}`;
    if (random() < 0.01) line += ` token=${secrets[Math.floor(random() * secrets.length)]}`;
    line += "\n";
    lines.push(line);
    size += Buffer.byteLength(line);
  }
  return Buffer.from(lines.join(""));
}

export function* writes(corpus, total) {
  let offset = 0;
  for (let produced = 0; produced < total; produced += WRITE_BYTES) {
    const size = Math.min(WRITE_BYTES, total - produced);
    const buf = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const take = Math.min(size - filled, corpus.length - offset);
      corpus.copy(buf, filled, offset, offset + take);
      filled += take;
      offset = (offset + take) % corpus.length;
    }
    yield buf;
  }
}

