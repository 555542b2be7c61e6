/**
 * A first-in first-out queue for p-queue (`queueClass`) that lets go of each task as it starts.
 *
 * p-queue's default queue keeps started tasks in its array until more than 100 have started and they are
 * over half of it, which never empties while a producer keeps it topped up: the writer's queues kept up to
 * ~100 finished batches reachable, each closure holding its 1000 rows, their re-read metadata and merged
 * values (issue 10 §2: most of a writing import's memory, growing until the next compaction).
 */
import type { Queue, QueueAddOptions } from 'p-queue';

type RunFunction = () => Promise<unknown>;

export class FifoQueue implements Queue<RunFunction, QueueAddOptions> {
  #items: (RunFunction | undefined)[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  enqueue(run: RunFunction): void {
    this.#items.push(run);
  }

  dequeue(): RunFunction | undefined {
    if (this.#head === this.#items.length) return undefined;
    const run = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head += 1;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return run;
  }

  filter(): RunFunction[] {
    return this.#items.slice(this.#head) as RunFunction[];
  }

  setPriority(): void {
    throw new TypeError('FifoQueue has no priorities');
  }
}
