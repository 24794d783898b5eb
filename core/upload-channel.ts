import type { LocalRepo } from './types.ts';

/**
 * The `mpsc` channel from the upload handler to the task. Unbounded, like omicron's in
 * practice (it holds at most a handful of repos): `send` never waits.
 */
export class UploadChannel {
  private queue: LocalRepo[] = [];

  send(repo: LocalRepo): void {
    this.queue.push(repo);
  }

  /** Everything sent since the last drain, oldest first. */
  drain(): LocalRepo[] {
    const repos = this.queue;
    this.queue = [];
    return repos;
  }

  get pending(): number {
    return this.queue.length;
  }
}
