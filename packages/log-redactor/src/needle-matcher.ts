import { WHITESPACE_RUN } from "./needle-forms.js";

// Bytes a WHITESPACE_RUN symbol consumes: \t \n \v \f \r and space (ASCII only, as
// upstream; Unicode spaces are only trimmed off the needle's lines).
const WS = new Uint8Array(256);
for (const byte of [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]) WS[byte] = 1;

const ROOT_STATE = 1;

/** What a state of the lazily built DFA knows about the partial and full matches it stands for. */
interface DfaState {
  /** Sorted trie nodes that match a suffix of the input so far; always holds the root (0). */
  readonly nodes: Int32Array;
  /** Length in bytes of the longest partial match without a whitespace run. */
  readonly holdPlain: number;
  /** Partial matches whose length depends on a whitespace run (measured backwards on demand). */
  readonly holdRunNodes: Int32Array;
  /** True when some node is inside a whitespace run (the run length must be counted). */
  readonly inRun: boolean;
  /** Length of the longest needle without runs that ends here; 0 if none. */
  readonly acceptPlain: number;
  /** Needles with runs that end here. */
  readonly acceptRunNodes: Int32Array;
}

/** Settings of a NeedleMatcher. */
export interface NeedleMatcherOptions {
  /** Longest stretch of whitespace a needle's line break may match, in bytes. */
  readonly maxWhitespaceRun: number;
  /** Most DFA states kept (256 × 4 bytes each) before the cache is rebuilt. */
  readonly maxStates: number;
}

/**
 * A multi-needle byte matcher: a trie of the needles, run as a DFA that is built
 * lazily (one 256-entry Int32Array row per state reached) so the hot loop is one
 * table load and one compare per byte, whatever the number of needles. A state is
 * the set of trie nodes matching a suffix of the input (the Aho-Corasick idea),
 * extended so a WHITESPACE_RUN symbol matches one or more whitespace bytes.
 *
 * Table entries: 0 = not computed yet; > 0 = next state id; < 0 = -(next state id)
 * for states that need attention (a match ends there, or a whitespace run must be
 * counted), so the common case never leaves the loop.
 */
export class NeedleMatcher {
  /** Longest number of bytes one match can span (whitespace runs counted at their cap). */
  readonly maxMatchLength: number;

  private readonly children: Map<number, number>[] = [new Map()];
  private readonly runChild: number[] = [-1];
  private readonly parent: number[] = [-1];
  private readonly symbol: number[] = [-1];
  private readonly plainDepth: number[] = [0];
  private readonly accepting: boolean[] = [false];
  private readonly isRunNode: boolean[] = [false];
  private readonly maxRun: number;
  private readonly maxStates: number;
  /** Shortest run of plain bytes that starts every needle (capped at 255); 0 when there are no needles. */
  private readonly window: number;
  /** Wu-Manber shift per 2-byte block, used when `window` >= 2. */
  private readonly shift: Uint8Array;
  /** First bytes of needles, used when `window` is 1. */
  private readonly startBytes = new Uint8Array(256);

  private table: Int32Array;
  private capacity: number;
  private states: DfaState[] = [];
  private readonly ids = new Map<string, number>();
  private current = ROOT_STATE;
  private wsRun = 0;
  private cacheEpoch = 0;

  constructor(patterns: Iterable<Uint16Array>, options: NeedleMatcherOptions) {
    this.maxRun = options.maxWhitespaceRun;
    this.maxStates = options.maxStates;
    let longest = 0;
    let window = 255;
    const prefixes: Uint16Array[] = [];
    for (const pattern of patterns) {
      let length = 0;
      let node = 0;
      for (const symbol of pattern) {
        length += symbol === WHITESPACE_RUN ? this.maxRun : 1;
        node = this.child(node, symbol);
      }
      if (node === 0) continue;
      this.accepting[node] = true;
      longest = Math.max(longest, length);
      const run = pattern.indexOf(WHITESPACE_RUN);
      window = Math.min(window, run < 0 ? pattern.length : run);
      prefixes.push(pattern);
      this.startBytes[pattern[0]!] = 1;
    }
    this.maxMatchLength = longest;
    this.window = prefixes.length === 0 ? 0 : window;
    this.shift = new Uint8Array(this.window >= 2 ? 65536 : 0);
    if (this.window >= 2) {
      // Wu-Manber with 2-byte blocks over the first `window` bytes of every needle:
      // the shift for a block is how far the window may move before some needle could
      // have that block at its end.
      this.shift.fill(this.window - 1);
      for (const prefix of prefixes) {
        for (let q = 1; q < this.window; q++) {
          const block = (prefix[q - 1]! << 8) | prefix[q]!;
          this.shift[block] = Math.min(this.shift[block]!, this.window - 1 - q);
        }
      }
    }
    this.capacity = 64;
    this.table = new Int32Array(this.capacity * 256);
    this.clearCache();
  }

  /**
   * Feeds `buf[from:to]`. Calls `onMatch(start, end)` for every position where some
   * needle ends, with the earliest start among the needles ending there. Indexes are
   * into `buf`, whose start must be the start of the oldest partial match still live
   * (see `partialLength`), because needles with whitespace runs are measured
   * backwards from their end.
   */
  scan(buf: Uint8Array, from: number, to: number, onMatch: (start: number, end: number) => void): void {
    const window = this.window;
    if (window === 0) return;
    const shift = this.shift;
    const startBytes = this.startBytes;
    let table = this.table;
    let state = this.current;
    let i = from;
    while (i < to) {
      if (state === ROOT_STATE) {
        // No partial match is live, so skip every position where no needle can start.
        // This loop has no dependency between iterations, unlike the DFA loop, whose
        // next load waits on the previous one: it is what makes the matcher fast.
        if (window >= 2) {
          const last = to - window;
          const a = window - 2;
          while (i <= last) {
            const step = shift[(buf[i + a]! << 8) | buf[i + a + 1]!]!;
            if (step === 0) break;
            i += step;
          }
        } else {
          while (i < to && startBytes[buf[i]!] === 0) i++;
        }
        if (i >= to) break;
      }
      const next = table[(state << 8) | buf[i]!]!;
      if (next > 0) {
        state = next;
      } else {
        state = this.step(state, buf, i, onMatch);
        table = this.table;
      }
      i++;
    }
    this.current = state;
  }

  /**
   * How many bytes at the end of `buf[0:end]` may still be the start of a match:
   * the bytes a streaming redactor must hold back.
   */
  partialLength(buf: Uint8Array, end: number): number {
    const state = this.states[this.current]!;
    let length = state.holdPlain;
    const runNodes = state.holdRunNodes;
    for (let k = 0; k < runNodes.length; k++) {
      const start = this.backwardStart(runNodes[k]!, buf, end);
      const span = start < 0 ? (end < this.maxMatchLength ? end : this.maxMatchLength) : end - start;
      if (span > length) length = span;
    }
    return length;
  }

  /** Forgets every partial match (after a flush). */
  resetState(): void {
    this.current = ROOT_STATE;
    this.wsRun = 0;
  }

  /** The partial matches now live, as needle prefixes, to carry over into a rebuilt matcher. */
  livePaths(): { paths: Uint16Array[]; wsRun: number } {
    const paths: Uint16Array[] = [];
    for (const node of this.states[this.current]!.nodes) if (node !== 0) paths.push(this.path(node));
    return { paths, wsRun: this.wsRun };
  }

  /** Continues the partial matches of another matcher; prefixes this one lacks are dropped. */
  restore(live: { paths: readonly Uint16Array[]; wsRun: number }): void {
    const nodes = [0];
    for (const path of live.paths) {
      let node = 0;
      for (const symbol of path) {
        node = symbol === WHITESPACE_RUN ? this.runChild[node]! : (this.children[node]!.get(symbol) ?? -1);
        if (node < 0) break;
      }
      if (node > 0) nodes.push(node);
    }
    this.current = this.intern(nodes);
    this.wsRun = live.wsRun;
  }

  private child(node: number, symbol: number): number {
    const existing = symbol === WHITESPACE_RUN ? this.runChild[node]! : (this.children[node]!.get(symbol) ?? -1);
    if (existing >= 0) return existing;
    const id = this.children.length;
    this.children.push(new Map());
    this.runChild.push(-1);
    this.parent.push(node);
    this.symbol.push(symbol);
    const depth = this.plainDepth[node]!;
    this.plainDepth.push(symbol === WHITESPACE_RUN || depth < 0 ? -1 : depth + 1);
    this.accepting.push(false);
    this.isRunNode.push(symbol === WHITESPACE_RUN);
    if (symbol === WHITESPACE_RUN) this.runChild[node] = id;
    else this.children[node]!.set(symbol, id);
    return id;
  }

  private hasOutgoing(node: number): boolean {
    return this.children[node]!.size > 0 || this.runChild[node]! >= 0;
  }

  /** The symbols from the root to `node`; built on demand, never cached (a cache grew with the square of a long needle). */
  private path(node: number): Uint16Array {
    const symbols: number[] = [];
    for (let n = node; n > 0; n = this.parent[n]!) symbols.push(this.symbol[n]!);
    return Uint16Array.from(symbols.reverse());
  }

  /**
   * Where the match of `node`'s path that ends at `end` starts, or -1. Deterministic
   * because needle lines are trimmed: a run is always bounded by non-space bytes, so
   * it takes every whitespace byte going backwards.
   */
  private backwardStart(node: number, buf: Uint8Array, end: number): number {
    let p = end;
    // Walks the trie upwards, i.e. the path backwards, without building it.
    for (let n = node; n > 0; n = this.parent[n]!) {
      const symbol = this.symbol[n]!;
      if (symbol === WHITESPACE_RUN) {
        const runEnd = p;
        while (p > 0 && WS[buf[p - 1]!] === 1) p--;
        if (p === runEnd) return -1;
      } else {
        if (p === 0 || buf[p - 1] !== symbol) return -1;
        p--;
      }
    }
    return p;
  }

  private step(from: number, buf: Uint8Array, i: number, onMatch: (start: number, end: number) => void): number {
    const byte = buf[i]!;
    const wasInRun = this.states[from]!.inRun;
    let next = this.table[(from << 8) | byte]!;
    if (next === 0) next = this.computeTransition(from, byte);
    let id = next < 0 ? -next : next;
    let state = this.states[id]!;
    if (state.inRun) {
      // Every run node of a state entered its run at the same (first) whitespace byte,
      // because only line-final nodes have run children and lines end in non-space.
      this.wsRun = wasInRun ? this.wsRun + 1 : 1;
      if (this.wsRun > this.maxRun) {
        id = this.intern(Array.from(state.nodes).filter((node) => !this.isRunNode[node]));
        state = this.states[id]!;
      }
    }
    if (state.acceptPlain > 0 || state.acceptRunNodes.length > 0) {
      const end = i + 1;
      let start = state.acceptPlain > 0 ? end - state.acceptPlain : end;
      const runNodes = state.acceptRunNodes;
      for (let k = 0; k < runNodes.length; k++) {
        const runStart = this.backwardStart(runNodes[k]!, buf, end);
        const from = runStart < 0 ? (end > this.maxMatchLength ? end - this.maxMatchLength : 0) : runStart;
        if (from < start) start = from;
      }
      onMatch(start, end);
    }
    return id;
  }

  private computeTransition(from: number, byte: number): number {
    const nodes = this.states[from]!.nodes;
    const next: number[] = [0];
    const ws = WS[byte] === 1;
    for (const node of nodes) {
      const child = this.children[node]!.get(byte);
      if (child !== undefined) next.push(child);
      if (ws) {
        if (this.isRunNode[node]) next.push(node);
        else if (this.runChild[node]! >= 0) next.push(this.runChild[node]!);
      }
    }
    const epoch = this.cacheEpoch;
    const id = this.intern(next);
    // intern() may have rebuilt the cache, which invalidates `from`; then the
    // transition is simply not remembered.
    if (this.cacheEpoch === epoch) {
      const state = this.states[id]!;
      const special = state.inRun || state.acceptPlain > 0 || state.acceptRunNodes.length > 0;
      this.table[(from << 8) | byte] = special ? -id : id;
      return special ? -id : id;
    }
    return id;
  }

  private intern(nodes: number[]): number {
    nodes.sort((a, b) => a - b);
    const unique = nodes.filter((node, index) => index === 0 || node !== nodes[index - 1]);
    const key = unique.join(",");
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    if (this.states.length >= this.capacity) {
      if (this.capacity * 2 <= this.maxStates) {
        const grown = new Int32Array(this.capacity * 2 * 256);
        grown.set(this.table);
        this.table = grown;
        this.capacity *= 2;
      } else {
        this.clearCache();
      }
    }
    const id = this.states.length;
    this.states.push(this.describe(Int32Array.from(unique)));
    this.ids.set(key, id);
    return id;
  }

  private clearCache(): void {
    this.cacheEpoch++;
    this.table.fill(0);
    this.ids.clear();
    this.states = [this.describe(Int32Array.of(0))];
    this.states.push(this.states[0]!);
    this.ids.set("0", ROOT_STATE);
  }

  private describe(nodes: Int32Array): DfaState {
    let holdPlain = 0;
    let acceptPlain = 0;
    let inRun = false;
    const holdRunNodes: number[] = [];
    const acceptRunNodes: number[] = [];
    for (const node of nodes) {
      if (node === 0) continue;
      const depth = this.plainDepth[node]!;
      if (this.isRunNode[node]) inRun = true;
      if (this.hasOutgoing(node)) {
        if (depth >= 0) holdPlain = Math.max(holdPlain, depth);
        else holdRunNodes.push(node);
      }
      if (this.accepting[node]) {
        if (depth >= 0) acceptPlain = Math.max(acceptPlain, depth);
        else acceptRunNodes.push(node);
      }
    }
    return {
      nodes,
      holdPlain,
      holdRunNodes: Int32Array.from(holdRunNodes),
      inRun,
      acceptPlain,
      acceptRunNodes: Int32Array.from(acceptRunNodes),
    };
  }
}
