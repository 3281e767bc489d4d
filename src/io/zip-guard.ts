/**
 * Checks a zip archive's central directory before anything inflates it: file size, entry count,
 * total uncompressed size and compression ratio. A zip bomb (or a file that is no zip at all)
 * is a clear RejectedInputError, never an out-of-memory crash. The sizes an entry declares can
 * lie: the reader counts what it inflates against them (xlsx-source.ts `decodeEntriesWhole`).
 */
import fs from 'node:fs';
import { RejectedInputError } from '../errors.js';

export const ZIP_LIMITS = {
  maxFileBytes: 256 * 1024 * 1024,
  maxEntries: 10_000,
  maxTotalUncompressed: 2 * 1024 * 1024 * 1024,
  /** Spreadsheet XML compresses well, ~10-30×; bombs go to 1000× and more. */
  maxRatio: 200,
};

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;

export interface ZipSummary {
  entries: number;
  compressed: number;
  uncompressed: number;
  /** Each entry's uncompressed size as the directory declares it, by name: what inflating it may give at most. */
  sizes: Map<string, number>;
}

export function checkZip(file: string, limits = ZIP_LIMITS): ZipSummary {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size > limits.maxFileBytes) throw new RejectedInputError(`${file} is larger than ${limits.maxFileBytes / 1024 / 1024} MiB, more than custfile reads as xlsx.`);
    const notZip = () => new RejectedInputError(`${file} is not an xlsx workbook (it is not a zip archive); if it is a CSV, pass --format csv.`);
    if (size < 22) throw notZip();
    const tailLength = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLength);
    fs.readSync(fd, tail, 0, tailLength, size - tailLength);
    let at = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        at = i;
        break;
      }
    }
    if (at < 0) throw notZip();
    const entries = tail.readUInt16LE(at + 10);
    const dirSize = tail.readUInt32LE(at + 12);
    const dirOffset = tail.readUInt32LE(at + 16);
    if (entries === 0xffff || dirOffset === 0xffffffff) throw new RejectedInputError(`${file} is a ZIP64 archive, larger than any workbook custfile reads.`);
    if (entries > limits.maxEntries) throw new RejectedInputError(`${file} holds ${entries} zip entries, more than a workbook has; it was not read.`);
    if (dirOffset + dirSize > size) throw notZip();
    const dir = Buffer.alloc(dirSize);
    fs.readSync(fd, dir, 0, dirSize, dirOffset);
    let p = 0;
    let compressed = 0;
    let uncompressed = 0;
    const sizes = new Map<string, number>();
    for (let n = 0; n < entries; n++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL) throw notZip();
      const c = dir.readUInt32LE(p + 20);
      const u = dir.readUInt32LE(p + 24);
      if (c === 0xffffffff || u === 0xffffffff) throw new RejectedInputError(`${file} has a ZIP64 entry, larger than any workbook custfile reads.`);
      compressed += c;
      uncompressed += u;
      if (u > 1024 * 1024 && u / Math.max(1, c) > limits.maxRatio) {
        throw new RejectedInputError(`${file} looks like a zip bomb (an entry expands ${Math.round(u / Math.max(1, c))}×); it was not read.`);
      }
      const nameLength = dir.readUInt16LE(p + 28);
      sizes.set(dir.toString('utf8', p + 46, p + 46 + nameLength), u);
      p += 46 + nameLength + dir.readUInt16LE(p + 30) + dir.readUInt16LE(p + 32);
    }
    if (uncompressed > limits.maxTotalUncompressed) {
      throw new RejectedInputError(`${file} would expand to ${Math.round(uncompressed / 1024 / 1024)} MiB, more than custfile reads as xlsx; it was not read.`);
    }
    return { entries, compressed, uncompressed, sizes };
  } finally {
    fs.closeSync(fd);
  }
}
