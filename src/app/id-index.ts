/**
 * Text key → profile id, for the lookups of a bulk load (the indexes are set aside until its
 * end). A Map of 1M e-mail strings held ~100 MiB and grew with the file; this keeps a 32-bit hash
 * and the id of each key in typed arrays (8 bytes a slot, at most 3/4 full: ~11 MiB for 1M keys)
 * and confirms a hash hit by reading the key back from the row (`keyOf`, a rowid lookup), so two
 * keys whose hashes collide are never taken for one another. An id is stored negated once a
 * second profile has the same key.
 */
export interface IdEntry {
  /** The first profile stored under the key. */
  id: number;
  /** More than one profile has the key. */
  many: boolean;
}

export class IdIndex {
  private hashes = new Int32Array(1024);
  /** 0: a free slot; negative: the key has more than one profile. */
  private ids = new Int32Array(1024);
  private used = 0;

  /** `keyOf(id)`: the key of a stored profile, made exactly as the caller makes keys. */
  constructor(private readonly keyOf: (id: number) => string | undefined) {}

  get size(): number {
    return this.used;
  }

  get(key: string): IdEntry | undefined {
    const slot = this.find(key, hash(key));
    if (slot < 0) return undefined;
    const id = this.ids[slot]!;
    return { id: Math.abs(id), many: id < 0 };
  }

  /** Stores `id` under `key`; another id under the same key marks it `many` (the first stays). */
  add(key: string, id: number): void {
    if (!Number.isInteger(id) || id <= 0 || id > 0x7fffffff) throw new RangeError(`IdIndex holds ids from 1 to 2^31-1, not ${id}`);
    const h = hash(key);
    const found = this.find(key, h);
    if (found >= 0) {
      const first = this.ids[found]!;
      if (first !== id && first > 0) this.ids[found] = -first;
      return;
    }
    if ((this.used + 1) * 4 > this.ids.length * 3) this.grow();
    this.put(h, id);
    this.used++;
  }

  private find(key: string, h: number): number {
    const mask = this.ids.length - 1;
    for (let slot = h & mask; this.ids[slot] !== 0; slot = (slot + 1) & mask) {
      if (this.hashes[slot] === h && this.keyOf(Math.abs(this.ids[slot]!)) === key) return slot;
    }
    return -1;
  }

  private put(h: number, id: number): void {
    const mask = this.ids.length - 1;
    let slot = h & mask;
    while (this.ids[slot] !== 0) slot = (slot + 1) & mask;
    this.hashes[slot] = h;
    this.ids[slot] = id;
  }

  private grow(): void {
    const { hashes, ids } = this;
    this.hashes = new Int32Array(ids.length * 2);
    this.ids = new Int32Array(ids.length * 2);
    for (let i = 0; i < ids.length; i++) if (ids[i] !== 0) this.put(hashes[i]!, ids[i]!);
  }
}

/** FNV-1a over the UTF-16 code units, with a final mix so that the low bits spread. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}
