/**
 * Ids that rows of one import have matched or made (a sale a row found again, a profile a row
 * wrote), so that a later row looks for another: a bit per id below BITS_UP_TO (ids are dense:
 * 1M profiles take 125 KB, grown as ids come), a Set above it.
 */
const BITS_UP_TO = 64_000_000;

export class ClaimedIds {
  private bits = new Uint8Array(1024);
  private readonly sparse = new Set<number>();

  has(id: number): boolean {
    if (id >= BITS_UP_TO) return this.sparse.has(id);
    const byte = id >> 3;
    return byte < this.bits.length && (this.bits[byte]! & (1 << (id & 7))) !== 0;
  }

  add(id: number): void {
    if (id >= BITS_UP_TO) {
      this.sparse.add(id);
      return;
    }
    const byte = id >> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.min(Math.max(this.bits.length * 2, byte + 1), (BITS_UP_TO >> 3) + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[byte]! |= 1 << (id & 7);
  }
}
