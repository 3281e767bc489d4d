/**
 * Text key → profile id, for the lookups of a bulk load (the indexes are set aside until its
 * end). A Map of 1M e-mail strings held ~100 MiB and grew with the file; this keeps a 32-bit hash
 * and the id of each key in typed arrays (16 bytes a slot, ~24 MiB for 1M keys) and confirms a
 * hash hit by reading the key back from the row (`keyOf`, a rowid lookup), so two keys whose
 * hashes collide are never taken for one another.
 */
export interface IdEntry {
  /** The first profile stored under the key. */
  id: number;
  /** More than one profile has the key. */
  many: boolean;
}

export class IdIndex {
  private hashes = new Int32Array(1024);
  private ids = new Float64Array(1024);
  private many = new Uint8Array(1024);
  private used = 0;

  /** `keyOf(id)`: the key of a stored profile, made exactly as the caller makes keys. */
  constructor(private readonly keyOf: (id: number) => string | undefined) {}

  get size(): number {
    return this.used;
  }

  get(key: string): IdEntry | undefined {
    const slot = this.find(key, hash(key));
    return slot < 0 ? undefined : { id: this.ids[slot]!, many: this.many[slot] === 1 };
  }

  /** Stores `id` under `key`; another id under the same key marks it `many` (the first stays). */
  add(key: string, id: number): void {
    const h = hash(key);
    const found = this.find(key, h);
    if (found >= 0) {
      if (this.ids[found] !== id) this.many[found] = 1;
      return;
    }
    if ((this.used + 1) * 2 > this.ids.length) this.grow();
    this.put(h, id, 0);
    this.used++;
  }

  private find(key: string, h: number): number {
    const mask = this.ids.length - 1;
    for (let slot = h & mask; this.ids[slot] !== 0; slot = (slot + 1) & mask) {
      if (this.hashes[slot] === h && this.keyOf(this.ids[slot]!) === key) return slot;
    }
    return -1;
  }

  private put(h: number, id: number, many: number): void {
    const mask = this.ids.length - 1;
    let slot = h & mask;
    while (this.ids[slot] !== 0) slot = (slot + 1) & mask;
    this.hashes[slot] = h;
    this.ids[slot] = id;
    this.many[slot] = many;
  }

  private grow(): void {
    const { hashes, ids, many } = this;
    this.hashes = new Int32Array(ids.length * 2);
    this.ids = new Float64Array(ids.length * 2);
    this.many = new Uint8Array(ids.length * 2);
    for (let i = 0; i < ids.length; i++) if (ids[i] !== 0) this.put(hashes[i]!, ids[i]!, many[i]!);
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
