/**
 * Stream-parse one big JSON document, handing each element of one nested array to a callback as its own
 * JSON text, and keeping the rest (that array left empty) as a small "skeleton" document.
 *
 * Why: call A returns every data row of a dataset in one response (no paging). At 1M rows that is ~600 MB
 * of JSON, beyond the largest string V8 can hold, so `JSON.parse` of the body cannot work at all. Each row
 * is small; parsing them one at a time keeps memory to the rows themselves. Hand-written because the job
 * is only "find this array, split its elements": a streaming JSON library would be a dependency for a
 * small state machine.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

interface Frame {
  readonly array: boolean;
  /** For objects: the key whose value is being read (set at the colon, cleared at the comma). */
  key: string | undefined;
}

export class JsonArrayExtractor {
  private readonly stack: Frame[] = [];
  private readonly skeleton: string[] = [];
  private inString = false;
  private escaped = false;
  // Key strings outside the target array (may span chunks).
  private stringParts = '';
  private stringStart = 0;
  private lastString: string | undefined;
  // Inside the target array.
  private inTarget = false;
  private inElement = false;
  private elementDepth = 0;
  private elementStart = 0;
  private elementParts: string[] = [];
  /** The current element is a number, true, false or null (it has no closing character). */
  private scalar = false;
  private items = 0;

  /**
   * @param path keys leading to the array, e.g. `['response', 'data_rows']`
   * @param onItem called with each element's JSON text, in order
   */
  constructor(
    private readonly path: readonly string[],
    private readonly onItem: (json: string) => void,
  ) {}

  /** Elements handed out so far. */
  get count(): number {
    return this.items;
  }

  write(chunk: string): void {
    const n = chunk.length;
    let copyFrom = this.inTarget ? -1 : 0;
    for (let i = 0; i < n; i += 1) {
      const c = chunk.charCodeAt(i);
      if (this.scalar && (c === COMMA || c === CLOSE_ARR || c <= 0x20)) {
        // A number, true, false or null element ends before this character.
        this.scalar = false;
        this.emit(chunk, i);
      }
      if (this.inTarget && !this.inElement && !this.inString) {
        if (c === COMMA || c <= 0x20) continue;
        if (c === CLOSE_ARR) {
          this.inTarget = false;
          this.stack.pop();
          copyFrom = i;
          continue;
        }
        this.inElement = true;
        this.elementDepth = 0;
        this.elementStart = i;
        this.scalar = c !== OPEN_OBJ && c !== OPEN_ARR && c !== QUOTE;
        if (this.scalar) continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (!this.inTarget) {
            this.lastString = this.stringParts + chunk.slice(this.stringStart, i);
            this.stringParts = '';
          } else if (this.elementDepth === 0) {
            this.emit(chunk, i + 1); // a string element
          }
        }
        continue;
      }
      if (c === QUOTE) {
        this.inString = true;
        this.stringStart = i + 1;
        continue;
      }
      if (this.inTarget) {
        if (c === OPEN_OBJ || c === OPEN_ARR) this.elementDepth += 1;
        else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
          this.elementDepth -= 1;
          if (this.elementDepth === 0) this.emit(chunk, i + 1);
        }
        continue;
      }
      if (c === OPEN_OBJ || c === OPEN_ARR) {
        const isTarget = c === OPEN_ARR && this.atTargetPath();
        this.stack.push({ array: c === OPEN_ARR, key: undefined });
        if (isTarget) {
          this.skeleton.push(chunk.slice(copyFrom, i + 1));
          copyFrom = -1;
          this.inTarget = true;
          this.inElement = false;
        }
      } else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        this.stack.pop();
      } else if (c === COLON) {
        const top = this.stack[this.stack.length - 1];
        if (top && !top.array) top.key = this.lastString;
      } else if (c === COMMA) {
        const top = this.stack[this.stack.length - 1];
        if (top && !top.array) top.key = undefined;
      }
    }
    if (copyFrom >= 0) this.skeleton.push(chunk.slice(copyFrom));
    if (this.inString && !this.inTarget) {
      this.stringParts += chunk.slice(this.stringStart);
      this.stringStart = 0;
    }
    if (this.inElement) {
      this.elementParts.push(chunk.slice(this.elementStart));
      this.elementStart = 0;
    }
    this.stringStart = 0;
  }

  /** The document without the target array's elements; throws if it was cut short. */
  end(): string {
    if (this.inTarget || this.inString || this.stack.length > 0 || this.scalar) throw new Error('the JSON document ended early');
    return this.skeleton.join('');
  }

  private emit(chunk: string, endExclusive: number): void {
    this.elementParts.push(chunk.slice(this.elementStart, endExclusive));
    const text = this.elementParts.length === 1 ? this.elementParts[0]! : this.elementParts.join('');
    this.elementParts = [];
    this.inElement = false;
    this.items += 1;
    this.onItem(text);
  }

  /** Whether an array opening now sits at `path` (each enclosing object under the path's key). */
  private atTargetPath(): boolean {
    if (this.stack.length !== this.path.length) return false;
    for (let d = 0; d < this.path.length; d += 1) {
      const frame = this.stack[d]!;
      if (frame.array || frame.key !== this.path[d]) return false;
    }
    return true;
  }
}
