import type {
  AgentApiStore,
  AgentRecord,
  AnnotationRecord,
  ArtifactBatchRecord,
  ArtifactRecord,
  BuildRecord,
  ChunkRecord,
  GroupedTable,
  JobRecord,
  PipelineUploadRecord,
  Table,
  TokenRecord,
} from "./store.js";

class MemoryTable<T> implements Table<T> {
  readonly #rows = new Map<string, T>();
  get(id: string): T | undefined {
    return this.#rows.get(id);
  }
  set(id: string, value: T): void {
    this.#rows.set(id, value);
  }
  delete(id: string): boolean {
    return this.#rows.delete(id);
  }
  values(): Iterable<T> {
    return this.#rows.values();
  }
}

class MemoryGroupedTable<T> implements GroupedTable<T> {
  readonly #groups = new Map<string, Map<string, T>>();
  get(group: string, key: string): T | undefined {
    return this.#groups.get(group)?.get(key);
  }
  set(group: string, key: string, value: T): void {
    let rows = this.#groups.get(group);
    if (rows === undefined) this.#groups.set(group, (rows = new Map()));
    rows.set(key, value);
  }
  delete(group: string, key: string): boolean {
    return this.#groups.get(group)?.delete(key) ?? false;
  }
  keys(group: string): string[] {
    return [...(this.#groups.get(group)?.keys() ?? [])];
  }
  values(group: string): T[] {
    return [...(this.#groups.get(group)?.values() ?? [])];
  }
}

/**
 * The default store: everything in process memory, gone when the process exits.
 * Log chunks are kept gzip-compressed as received, so a long log costs roughly its
 * compressed size.
 */
export class MemoryStore implements AgentApiStore {
  readonly agents = new MemoryTable<AgentRecord>();
  readonly builds = new MemoryTable<BuildRecord>();
  readonly jobs = new MemoryTable<JobRecord>();
  readonly tokens = new MemoryTable<TokenRecord>();
  readonly artifacts = new MemoryTable<ArtifactRecord>();
  readonly artifactBatches = new MemoryTable<ArtifactBatchRecord>();
  readonly annotations = new MemoryTable<AnnotationRecord>();
  readonly pipelineUploads = new MemoryTable<PipelineUploadRecord>();
  readonly chunks = new MemoryGroupedTable<ChunkRecord>();
  readonly metaData = new MemoryGroupedTable<string>();
  readonly secrets = new MemoryGroupedTable<string>();
}
