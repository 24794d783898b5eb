import { describe, expect, it } from 'vitest';
import { fakeRepo } from './testing/fake-rack.ts';
import { UPLOAD_CHANNEL_CAPACITY, UploadChannel } from './upload-channel.ts';

describe('UploadChannel: mpsc::channel(16)', () => {
  it('the 17th send waits until a drain makes room; its repo goes to the next drain, in send order', async () => {
    expect(UPLOAD_CHANNEL_CAPACITY).toBe(16);
    const channel = new UploadChannel();
    const sent: string[] = [];
    const repos = Array.from({ length: 20 }, (_, i) => fakeRepo(`v${i}`, []));
    for (const repo of repos) void channel.send(repo).then(() => sent.push(repo.id));
    await Promise.resolve();
    expect(sent).toHaveLength(16);
    expect(channel.blocked).toBe(4);
    expect(channel.drain().map((r) => r.id)).toEqual(repos.slice(0, 16).map((r) => r.id));
    await Promise.resolve();
    expect(sent.slice(16)).toEqual(['v16', 'v17', 'v18', 'v19']);
    expect(channel.blocked).toBe(0);
    expect(channel.drain().map((r) => r.id)).toEqual(['v16', 'v17', 'v18', 'v19']);
    expect(channel.drain()).toEqual([]);
  });

  it('waiting sends get room as drains make it, in the order they waited', async () => {
    const channel = new UploadChannel(1);
    const order: string[] = [];
    for (const id of ['a', 'b', 'c']) void channel.send(fakeRepo(id, [])).then(() => order.push(id));
    await Promise.resolve();
    expect(order).toEqual(['a']);
    channel.drain();
    await Promise.resolve();
    expect(order).toEqual(['a', 'b']);
    expect(channel.drain().map((r) => r.id)).toEqual(['b']);
    await Promise.resolve();
    expect(order).toEqual(['a', 'b', 'c']);
  });
});
