import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { finished, pipeline } from "node:stream/promises";
import { AgentApiServerError, HttpError } from "../errors.js";
import { parseMultipartForm, type MultipartFileSink } from "../multipart-form.js";
import type { Handler } from "../route-context.js";
import type { ServerCore } from "../server-core.js";
import type { ArtifactRecord } from "../store.js";

/**
 * The storage side of Buildkite-hosted artifacts: the form POST the create-batch
 * instructions point at (authorised by the signed `policy`, not by a token, exactly
 * like a pre-signed S3 form) and plain GET downloads by artifact id.
 */
export const artifactStorageHandlers = {
  "artifacts.upload_file": async (ctx) => {
    const { core } = ctx;
    const contentType = ctx.req.headers["content-type"] ?? "";
    const match = /^multipart\/form-data\s*;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
    const boundary = match?.[1] ?? match?.[2];
    if (boundary === undefined) throw new HttpError(400, "Artifact uploads must be multipart/form-data with a boundary");
    const upload = new FileUpload(core);
    try {
      // destroyOnReturn: false so that a refusal (403, 400) can still be answered on this socket.
      await parseMultipartForm(ctx.req.iterator({ destroyOnReturn: false }), boundary, "file", upload);
    } catch (error) {
      await upload.discard();
      throw error;
    }
    await upload.commit();
    return { status: 204 };
  },

  "artifacts.download": async (ctx) => {
    const artifact = ctx.core.store.artifacts.get(ctx.params["artifact"] ?? "");
    if (artifact?.file === undefined) throw new HttpError(404, "No uploaded artifact with that id");
    ctx.res.writeHead(200, {
      "Content-Type": artifact.contentType ?? "application/octet-stream",
      "Content-Length": String(artifact.file.size),
    });
    await pipeline(createReadStream(artifact.file.path), ctx.res);
    return "handled";
  },
} satisfies Record<string, Handler>;

/** One file part on its way to the server's artifact directory, hashed as it goes. */
class FileUpload implements MultipartFileSink {
  readonly #core: ServerCore;
  #artifact: ArtifactRecord | undefined;
  #file = "";
  #stream: WriteStream | undefined;
  #error: Error | undefined;
  #size = 0;
  readonly #sha256 = createHash("sha256");

  constructor(core: ServerCore) {
    this.#core = core;
  }

  async start(fields: ReadonlyMap<string, string>): Promise<void> {
    const core = this.#core;
    const policy = fields.get("policy") ?? "";
    const signature = fields.get("signature") ?? "";
    const expected = createHmac("sha256", core.artifactSecret).update(policy).digest();
    const given = Buffer.from(signature, "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new HttpError(403, "Upload form signature does not match; use the upload_instructions this server issued");
    }
    const { job_id: jobId, batch_id: batchId } = JSON.parse(Buffer.from(policy, "base64url").toString("utf8")) as {
      job_id: string;
      batch_id: string;
    };
    const key = fields.get("key") ?? "";
    if (!key.startsWith(`${jobId}/`)) throw new HttpError(403, "Upload form key is outside this job's artifacts");
    const artifactPath = key.slice(jobId.length + 1);
    const batch = core.store.artifactBatches.get(batchId);
    const artifact = batch?.artifactIds
      .map((id) => core.store.artifacts.get(id))
      .find((candidate) => candidate?.path === artifactPath);
    if (artifact === undefined) throw new HttpError(400, `No artifact with path "${artifactPath.slice(0, 200)}" in this batch`);
    this.#artifact = artifact;
    this.#file = path.join(core.artifactDir, `${artifact.id}-${core.newId()}`);
    this.#stream = createWriteStream(this.#file, { flags: "wx" });
    // An open or write failure can arrive while the parser waits for the next body
    // chunk, with nobody awaiting the stream: keep it for the next write or end.
    this.#stream.on("error", (error) => {
      this.#error ??= error;
    });
  }

  async write(data: Buffer): Promise<void> {
    this.#throwIfFailed();
    this.#size += data.length;
    this.#sha256.update(data);
    // events.once rejects if the stream errors while we wait, so a full disk cannot hang us.
    if (!this.#stream!.write(data)) await once(this.#stream!, "drain");
  }

  async end(): Promise<void> {
    this.#throwIfFailed();
    this.#stream!.end();
    await finished(this.#stream!);
  }

  #throwIfFailed(): void {
    if (this.#error !== undefined) {
      throw new AgentApiServerError("SERVER_IO", `storing the artifact file failed: ${this.#error.message}`, {
        cause: this.#error,
      });
    }
  }

  /** Keeps the stored file and records it on the artifact (replacing an earlier upload). */
  async commit(): Promise<void> {
    const artifact = this.#artifact!;
    const previous = artifact.file?.path;
    artifact.file = { path: this.#file, size: this.#size, sha256: this.#sha256.digest("hex") };
    this.#core.store.artifacts.set(artifact.id, artifact);
    this.#core.emit("artifact.uploaded", { artifactId: artifact.id, size: this.#size });
    if (previous !== undefined) await rm(previous, { force: true });
  }

  /** Removes a partial file after a failed or aborted upload. */
  async discard(): Promise<void> {
    if (this.#stream === undefined) return;
    this.#stream.destroy();
    await rm(this.#file, { force: true });
  }
}
