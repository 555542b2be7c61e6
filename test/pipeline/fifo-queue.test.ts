/**
 * The writer's queues (issue 10 §2): tasks run in the order they were added, at most `concurrency` at once,
 * and a task that has started is no longer held by the queue, so a finished batch of 1000 rows can be
 * collected while the producer keeps the queue topped up.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import PQueue from 'p-queue';
import { describe, expect, it } from 'vitest';
import { FifoQueue } from '../../src/pipeline/fifo-queue.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('FifoQueue', () => {
  it('runs tasks first in, first out, at most `concurrency` at once', async () => {
    const queue = new PQueue({ concurrency: 2, queueClass: FifoQueue });
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const tasks = Array.from({ length: 3000 }, (_v, i) =>
      queue.add(async () => {
        started.push(i);
        running += 1;
        most = Math.max(most, running);
        await new Promise((r) => setImmediate(r));
        running -= 1;
        return i;
      }),
    );
    expect(await Promise.all(tasks)).toEqual(Array.from({ length: 3000 }, (_v, i) => i));
    expect(started).toEqual(Array.from({ length: 3000 }, (_v, i) => i));
    expect(most).toBe(2);
    expect(queue.size).toBe(0);
  });

  it('holds no task once it has been taken, while later tasks still wait', async () => {
    const queue = new FifoQueue();
    const refs: WeakRef<object>[] = [];
    // 150 tasks, each holding a batch, 100 taken: p-queue's own queue keeps all 150 (it compacts past 100).
    for (let i = 0; i < 150; i += 1) {
      const batch = { rows: new Array(1000).fill(i) };
      refs.push(new WeakRef(batch));
      queue.enqueue(async () => batch.rows.length);
    }
    for (let i = 0; i < 100; i += 1) expect(queue.dequeue()).toBeTypeOf('function');
    expect(queue.size).toBe(50);
    // A WeakRef keeps its target alive until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(refs.slice(0, 100).filter((r) => r.deref() !== undefined)).toHaveLength(0);
    expect(refs.slice(100).every((r) => r.deref() !== undefined)).toBe(true);
    expect(queue.filter()).toHaveLength(50);
  });
});
