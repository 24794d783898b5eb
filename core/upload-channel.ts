import type { LocalRepo } from './types.ts';

/**
 * Repos the channel holds before a send waits: `mpsc::channel(16)` at every modelled commit
 * (nexus/src/app/mod.rs:311@74a6c136, :312@c31dc2f3, :429@b848b6df).
 */
export const UPLOAD_CHANNEL_CAPACITY = 16;

/**
 * The bounded `mpsc` channel from the upload handler to the task. A send resolves once its
 * repo is in the channel: at once while there is room, else when a drain makes room, in
 * the order the sends waited. A repo that gets room from a drain is taken by the next one
 * (the task's `try_recv` loop does not wait for the woken handler; assumed, as on a busy
 * multi-threaded runtime it may race either way).
 */
export class UploadChannel {
  private queue: LocalRepo[] = [];
  private readonly waiting: { readonly repo: LocalRepo; readonly resolve: () => void }[] = [];

  constructor(readonly capacity = UPLOAD_CHANNEL_CAPACITY) {}

  send(repo: LocalRepo): Promise<void> {
    if (this.waiting.length === 0 && this.queue.length < this.capacity) {
      this.queue.push(repo);
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiting.push({ repo, resolve }));
  }

  /** Everything sent since the last drain, oldest first. */
  drain(): LocalRepo[] {
    const repos = this.queue;
    this.queue = [];
    while (this.waiting.length > 0 && this.queue.length < this.capacity) {
      const sender = this.waiting.shift() as (typeof this.waiting)[number];
      this.queue.push(sender.repo);
      sender.resolve();
    }
    return repos;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Sends waiting for room. */
  get blocked(): number {
    return this.waiting.length;
  }
}
