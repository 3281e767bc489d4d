/**
 * Text key → profile ids, for the lookups of a bulk load (its indexes are set aside until the
 * end). A Map of 1M e-mail strings held ~100 MiB and grew with the file; this keeps two 32-bit
 * hashes of each key, its first id and how many profiles have it, in typed arrays (16 bytes a
 * slot, at most 3/4 full: ~21 MiB for 1M keys).
 *
 * A key is its 64 bits of hash: adding and removing never read the rows, so a name shared by
 * thousands of people costs nothing more. What a lookup answers is confirmed against the rows:
 * a single match is read back (`keyOf`), so two keys that collide in 64 bits are never merged,
 * and where the first id left the key (a rename), the ids are looked up again (`idsOf`, a scan;
 * rare). The counts follow renames through `remove`, so "more than one" is always current.
 */
export interface IdEntry {
  /** The first profile (by id) that has the key. */
  id: number;
  /** More than one profile has the key. */
  many: boolean;
}

/** ids[] marks: a free slot, and a slot whose key no profile has any more (probing goes on past it). */
const FREE = 0;
const GONE = -1;
/** The first id left the key; `idsOf` tells the others. */
const UNKNOWN = -2;

export interface IdSource {
  /** The key of a stored profile, made exactly as the caller makes keys. */
  keyOf(id: number): string | undefined;
  /** The profiles that have the key, by id; the first is enough (a scan: called only after a rename). */
  idsOf(key: string): number[];
}

export class IdIndex {
  private hashes = new Int32Array(1024);
  private checks = new Int32Array(1024);
  private ids = new Int32Array(1024);
  private counts = new Int32Array(1024);
  private used = 0;

  constructor(private readonly source: IdSource) {}

  get(key: string): IdEntry | undefined {
    const slot = this.find(key);
    if (slot < 0 || this.counts[slot] === 0) return undefined;
    let id = this.ids[slot]!;
    if (id === UNKNOWN) {
      const ids = this.source.idsOf(key);
      if (ids.length === 0) return undefined;
      id = ids[0]!;
      this.ids[slot] = id;
    }
    if (this.counts[slot] === 1 && this.source.keyOf(id) !== key) return undefined; // a 64-bit collision
    return { id, many: this.counts[slot]! > 1 };
  }

  /** A profile now has `key` (inserted, or changed to it). */
  add(key: string, id: number): void {
    if (!Number.isInteger(id) || id <= 0 || id > 0x7fffffff) throw new RangeError(`IdIndex holds ids from 1 to 2^31-1, not ${id}`);
    const slot = this.find(key);
    if (slot >= 0) {
      if (this.counts[slot] === 0 || (this.ids[slot] !== UNKNOWN && id < this.ids[slot]!)) this.ids[slot] = id;
      this.counts[slot]!++;
      return;
    }
    if ((this.used + 1) * 4 > this.ids.length * 3) this.grow();
    this.put(hash(key), hash(key, CHECK_SEED), id, 1);
    this.used++;
  }

  /** A profile no longer has `key` (changed away from it). */
  remove(key: string, id: number): void {
    const slot = this.find(key);
    if (slot < 0 || this.counts[slot] === 0) return;
    this.counts[slot]!--;
    if (this.counts[slot] === 0) this.ids[slot] = GONE;
    else if (this.ids[slot] === id) this.ids[slot] = UNKNOWN;
  }

  private find(key: string): number {
    const h = hash(key);
    const c = hash(key, CHECK_SEED);
    const mask = this.ids.length - 1;
    for (let slot = h & mask; this.ids[slot] !== FREE; slot = (slot + 1) & mask) {
      if (this.hashes[slot] === h && this.checks[slot] === c) return slot;
    }
    return -1;
  }

  private put(h: number, c: number, id: number, count: number): void {
    const mask = this.ids.length - 1;
    let slot = h & mask;
    while (this.ids[slot] !== FREE) slot = (slot + 1) & mask;
    this.hashes[slot] = h;
    this.checks[slot] = c;
    this.ids[slot] = id;
    this.counts[slot] = count;
  }

  private grow(): void {
    const { hashes, checks, ids, counts } = this;
    const size = ids.length * 2;
    this.hashes = new Int32Array(size);
    this.checks = new Int32Array(size);
    this.ids = new Int32Array(size);
    this.counts = new Int32Array(size);
    for (let i = 0; i < ids.length; i++) if (ids[i] !== FREE) this.put(hashes[i]!, checks[i]!, ids[i]!, counts[i]!);
  }
}

const CHECK_SEED = 0x9e3779b9;

/** FNV-1a over the UTF-16 code units, with a final mix so that the low bits spread. */
function hash(text: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}
